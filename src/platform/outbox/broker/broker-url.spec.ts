import { natsServerOptions, redact } from './broker-url';

describe('NATS URLs', () => {
  it('turns credentials in NATS_URL into nats.js options and keeps them out of the server address', () => {
    expect(natsServerOptions('nats://127.0.0.1:4222')).toEqual({ servers: 'nats://127.0.0.1:4222' });
    expect(natsServerOptions('nats://app:s%40cret@nats.internal:4222')).toEqual({ servers: 'nats://nats.internal:4222', user: 'app', pass: 's@cret' });
    expect(natsServerOptions('tls://t0ken@nats.example.com:4222')).toEqual({ servers: 'tls://nats.example.com:4222', token: 't0ken' });
  });

  it('shows a URL without its credentials', () => {
    expect(redact('nats://app:secret@nats.internal:4222')).toBe('nats://nats.internal:4222');
    expect(redact('amqp://guest:guest@127.0.0.1:5672/vhost')).toBe('amqp://127.0.0.1:5672/vhost');
    expect(redact('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
  });
});
