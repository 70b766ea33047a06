import { Component, type ComponentChildren } from 'preact';
import { ProblemView } from './problem-view';

/** Shows a page that threw while rendering (or whose chunk failed to load) as a ProblemView instead of a blank screen. */
export class ErrorBoundary extends Component<{ children?: ComponentChildren }, { error?: unknown }> {
  override state: { error?: unknown } = {};

  override componentDidCatch(error: unknown): void {
    this.setState({ error });
  }

  override render() {
    if (this.state.error !== undefined) return <ProblemView error={this.state.error} onRetry={() => this.setState({ error: undefined })} />;
    return this.props.children;
  }
}
