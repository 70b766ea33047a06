export { HttpRequestOutput, HttpRequestStepType, MAX_REDIRECTS } from './http-request.step-type';
export { AllowList, HostCheck, checkHost, compileAllowList, isNonPublicAddress } from '@cognition/platform/outbound-http/host-guard';
export { HttpRequestParams, parseHttpRequestParams } from './http-request.params';
export { HTTP_REQUEST_PARAMS } from './http-request.params-schema';
