// The official `@anthropic-ai/sdk` against Switchyard's /v1/messages, with an OpenAI-format and an Anthropic backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';

const gateway = process.env.SWITCHYARD_URL;
const fakeRoot = process.env.FAKE_PROVIDER_ROOT;

const backends = {
  openai: { provider: 'openai', custom_host: `${fakeRoot}/v1`, api_key: 'sk-openai-test' },
  anthropic: { provider: 'anthropic', custom_host: `${fakeRoot}/v1`, api_key: 'sk-ant-test' },
};

function client(backend, model = 'fake-model') {
  return new Anthropic({
    baseURL: gateway,
    apiKey: 'sk-ant-client',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-config': JSON.stringify({ ...backends[backend], override_params: { model } }) },
  });
}

const weather = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
};

for (const backend of Object.keys(backends)) {
  test(`anthropic sdk message via ${backend}`, async () => {
    const message = await client(backend).messages.create({
      model: 'claude-test',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hello anthropic' }],
    });
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.content[0].type, 'text');
    assert.equal(message.content[0].text, 'You said: hello anthropic');
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.output_tokens, 4);
    assert.ok(message.usage.input_tokens > 0);
  });

  test(`anthropic sdk stream via ${backend}`, async () => {
    const stream = client(backend, 'fake-model|words=6').messages.stream({
      model: 'claude-test',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'stream please' }],
    });
    let text = '';
    stream.on('text', (delta) => { text += delta; });
    const message = await stream.finalMessage();
    assert.equal(text.split(' ').length, 6);
    assert.equal(message.content[0].text, text);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.output_tokens, 6);
  });

  test(`anthropic sdk tool use via ${backend}`, async () => {
    const message = await client(backend).messages.create({
      model: 'claude-test',
      max_tokens: 100,
      tools: [weather],
      messages: [{ role: 'user', content: 'weather in Oslo' }],
    });
    assert.equal(message.stop_reason, 'tool_use');
    const use = message.content.find((block) => block.type === 'tool_use');
    assert.equal(use.name, 'get_weather');
    assert.deepEqual(use.input, { text: 'weather in Oslo' });
    assert.ok(use.id);

    const followUp = await client(backend).messages.create({
      model: 'claude-test',
      max_tokens: 100,
      tools: [weather],
      messages: [
        { role: 'user', content: 'weather in Oslo' },
        { role: 'assistant', content: message.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny' }] },
      ],
    });
    assert.equal(followUp.content[0].text, 'Tool said: sunny');
  });

  test(`anthropic sdk streamed tool use via ${backend}`, async () => {
    const stream = client(backend).messages.stream({
      model: 'claude-test',
      max_tokens: 100,
      tools: [weather],
      messages: [{ role: 'user', content: 'weather in Bergen' }],
    });
    const message = await stream.finalMessage();
    assert.equal(message.stop_reason, 'tool_use');
    const use = message.content.find((block) => block.type === 'tool_use');
    assert.equal(use.name, 'get_weather');
    assert.deepEqual(use.input, { text: 'weather in Bergen' });
  });

  test(`anthropic sdk error via ${backend}`, async () => {
    await assert.rejects(
      client(backend, 'fake-model|status=429').messages.create({
        model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'x' }],
      }),
      (error) => error instanceof Anthropic.RateLimitError && error.status === 429,
    );
  });

  test(`anthropic sdk count tokens via ${backend}`, async () => {
    const count = await client(backend).messages.countTokens({
      model: 'claude-test',
      messages: [{ role: 'user', content: 'count these tokens please' }],
    });
    assert.ok(Number.isInteger(count.input_tokens) && count.input_tokens > 0);
  });
}
