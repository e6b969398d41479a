// The official `portkey-ai` npm SDK against Switchyard, pointed at it with baseURL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Portkey } from 'portkey-ai';

const gateway = process.env.SWITCHYARD_URL;
const fakeBase = process.env.FAKE_PROVIDER_BASE;

function portkey(options) {
  return new Portkey({
    baseURL: `${gateway}/v1`,
    provider: 'openai',
    Authorization: 'Bearer sk-test-provider-key',
    customHost: fakeBase,
    maxRetries: 0,
    ...options,
  });
}

test('portkey chat completion', async () => {
  const completion = await portkey().chat.completions.create({
    model: 'fake-gpt',
    messages: [{ role: 'user', content: 'hello portkey' }],
  });
  assert.equal(completion.choices[0].message.content, 'You said: hello portkey');
});

test('portkey chat completion stream', async () => {
  const stream = await portkey().chat.completions.create({
    model: 'fake-gpt|words=5',
    messages: [{ role: 'user', content: 'stream' }],
    stream: true,
  });
  let text = '';
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  assert.equal(text.split(' ').length, 5);
});

test('portkey fallback config', async () => {
  const completion = await portkey({
    provider: undefined,
    customHost: undefined,
    config: {
      strategy: { mode: 'fallback' },
      targets: [
        { provider: 'openai', api_key: 'sk-a', custom_host: fakeBase, override_params: { model: 'fake-gpt|status=500' } },
        { provider: 'openai', api_key: 'sk-b', custom_host: fakeBase, override_params: { model: 'fake-gpt-mini' } },
      ],
    },
  }).chat.completions.create({ model: 'any', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(completion.model, 'fake-gpt-mini');
});

test('portkey retry config', async () => {
  const scenario = `pk-${Date.now()}-${Math.random()}`;
  const completion = await portkey({
    config: { retry: { attempts: 2 }, override_params: { model: `fake-gpt|scenario=${scenario}|times=1|status=503` } },
  }).chat.completions.create({ model: 'any', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(completion.model, 'fake-gpt');
});
