// The response cache through the official SDKs: a hit after a miss, told apart only by x-portkey-cache-status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { Portkey } from 'portkey-ai';

const gateway = process.env.SWITCHYARD_URL;
const fakeBase = process.env.FAKE_PROVIDER_BASE;
const fakeRoot = process.env.FAKE_PROVIDER_ROOT;
const cache = { mode: 'simple', max_age: 300 };

const unique = () => `${Date.now()}-${Math.random().toString(16).slice(2)}`;

test('openai sdk cache hit after miss', async () => {
  const client = new OpenAI({
    baseURL: `${gateway}/v1`,
    apiKey: 'sk-test-provider-key',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': fakeBase, 'x-portkey-config': JSON.stringify({ cache }) },
  });
  const content = `openai cache ${unique()}`;
  const ask = () => client.chat.completions.create({ model: 'fake-gpt', messages: [{ role: 'user', content }] }).withResponse();
  const first = await ask();
  const second = await ask();
  assert.equal(first.response.headers.get('x-portkey-cache-status'), 'MISS');
  assert.equal(second.response.headers.get('x-portkey-cache-status'), 'HIT');
  assert.equal(second.data.choices[0].message.content, first.data.choices[0].message.content);
  assert.notEqual(second.data.id, first.data.id);
  assert.equal(second.data.usage.prompt_tokens_details.cached_tokens, second.data.usage.prompt_tokens);

  // The JSON entry answers a stream request too.
  const { data: stream, response } = await client.chat.completions
    .create({ model: 'fake-gpt', messages: [{ role: 'user', content }], stream: true })
    .withResponse();
  let text = '';
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  assert.equal(response.headers.get('x-portkey-cache-status'), 'HIT');
  assert.equal(text, first.data.choices[0].message.content);
});

test('portkey sdk cache hit, namespace and force refresh', async () => {
  const text = `portkey cache ${unique()}`;
  const portkey = (options) => new Portkey({
    baseURL: `${gateway}/v1`,
    provider: 'openai',
    Authorization: 'Bearer sk-test-provider-key',
    customHost: fakeBase,
    maxRetries: 0,
    config: { cache },
    ...options,
  });
  const ask = (options) => portkey(options).chat.completions.create({ model: 'fake-gpt', messages: [{ role: 'user', content: text }] });
  const miss = await ask();
  const hit = await ask();
  const otherNamespace = await ask({ cacheNamespace: 'elsewhere' });
  const refresh = await ask({ cacheForceRefresh: true });
  assert.equal(miss.getHeaders()['cache-status'], 'MISS');
  assert.equal(hit.getHeaders()['cache-status'], 'HIT');
  assert.equal(otherNamespace.getHeaders()['cache-status'], 'MISS');
  assert.equal(refresh.getHeaders()['cache-status'], 'REFRESH');
  assert.equal(hit.choices[0].message.content, `You said: ${text}`);
});

test('anthropic sdk cache hit after miss', async () => {
  const client = new Anthropic({
    baseURL: gateway,
    apiKey: 'sk-ant-client',
    maxRetries: 0,
    defaultHeaders: {
      'x-portkey-config': JSON.stringify({ provider: 'anthropic', custom_host: `${fakeRoot}/v1`, api_key: 'sk-ant-test', cache }),
    },
  });
  const content = `anthropic cache ${unique()}`;
  const ask = () => client.messages.create({ model: 'fake-model', max_tokens: 100, messages: [{ role: 'user', content }] }).withResponse();
  const first = await ask();
  const second = await ask();
  assert.equal(first.response.headers.get('x-portkey-cache-status'), 'MISS');
  assert.equal(second.response.headers.get('x-portkey-cache-status'), 'HIT');
  assert.equal(second.data.content[0].text, first.data.content[0].text);
  assert.notEqual(second.data.id, first.data.id);
  assert.equal(second.data.usage.cache_read_input_tokens + second.data.usage.input_tokens, first.data.usage.input_tokens);
  assert.ok(second.data.usage.cache_read_input_tokens > 0);

  // Served as a stream from the JSON entry.
  const stream = client.messages.stream({ model: 'fake-model', max_tokens: 100, messages: [{ role: 'user', content }] });
  const message = await stream.finalMessage();
  assert.equal(message.content[0].text, first.data.content[0].text);
});
