// The official `openai` npm SDK against Switchyard: only the base URL (and Portkey headers) change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const gateway = process.env.SWITCHYARD_URL;
const fakeBase = process.env.FAKE_PROVIDER_BASE;

function client(headers) {
  return new OpenAI({
    baseURL: `${gateway}/v1`,
    apiKey: 'sk-test-provider-key',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': fakeBase, ...headers },
  });
}

test('openai chat completion', async () => {
  const completion = await client().chat.completions.create({
    model: 'fake-gpt',
    messages: [{ role: 'user', content: 'hello from node' }],
  });
  assert.equal(completion.choices[0].message.content, 'You said: hello from node');
  assert.equal(completion.choices[0].finish_reason, 'stop');
  assert.ok(completion.usage.total_tokens > 0);
});

test('openai chat completion stream', async () => {
  const stream = await client().chat.completions.create({
    model: 'fake-gpt|words=8',
    messages: [{ role: 'user', content: 'stream please' }],
    stream: true,
  });
  let text = '';
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  assert.equal(text.split(' ').length, 8);
  assert.equal(chunks, 10);
});

test('openai fallback config', async () => {
  const config = {
    strategy: { mode: 'fallback' },
    targets: [
      { provider: 'openai', custom_host: fakeBase, override_params: { model: 'fake-gpt|status=503' } },
      { provider: 'openai', custom_host: fakeBase, override_params: { model: 'fake-gpt-mini' } },
    ],
  };
  const { data, response } = await client({ 'x-portkey-config': JSON.stringify(config) })
    .chat.completions.create({ model: 'any', messages: [{ role: 'user', content: 'hi' }] })
    .withResponse();
  assert.equal(data.model, 'fake-gpt-mini');
  assert.equal(response.headers.get('x-portkey-last-used-option-index'), 'config.targets[1]');
});

test('openai embeddings', async () => {
  const result = await client().embeddings.create({ model: 'fake-embed', input: ['a', 'b'] });
  assert.equal(result.data.length, 2);
  assert.equal(result.data[0].embedding.length, 8);
});

test('openai stream cut mid-way throws', async () => {
  const stream = await client().chat.completions.create({
    model: 'fake-gpt|words=10|cut-after=3',
    messages: [{ role: 'user', content: 'x' }],
    stream: true,
  });
  let text = '';
  await assert.rejects(async () => {
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
  }, /Stream interrupted: the upstream stream broke off/);
  assert.equal(text.split(' ').filter(Boolean).length, 3);
});

test('openai provider error surfaces as APIError', async () => {
  await assert.rejects(
    client().chat.completions.create({ model: 'fake-gpt|status=429', messages: [{ role: 'user', content: 'x' }] }),
    (error) => error instanceof OpenAI.RateLimitError && error.status === 429,
  );
});
