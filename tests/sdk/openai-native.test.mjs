// The official `openai` npm SDK against native-format backends: Anthropic, Gemini and Bedrock behind /v1/chat/completions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const gateway = process.env.SWITCHYARD_URL;
const fakeRoot = process.env.FAKE_PROVIDER_ROOT;

const backends = {
  anthropic: { provider: 'anthropic', custom_host: `${fakeRoot}/v1`, api_key: 'sk-ant-test' },
  google: { provider: 'google', custom_host: `${fakeRoot}/v1beta`, api_key: 'gemini-test-key' },
  bedrock: {
    provider: 'bedrock',
    custom_host: fakeRoot,
    aws_access_key_id: 'AKIDEXAMPLE',
    aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    aws_region: 'us-east-1',
  },
};

function client(backend, model = 'fake-model') {
  return new OpenAI({
    baseURL: `${gateway}/v1`,
    apiKey: 'unused',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-config': JSON.stringify({ ...backends[backend], override_params: { model } }) },
  });
}

const tools = [{
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { text: { type: 'string' } } } },
}];

for (const backend of Object.keys(backends)) {
  test(`openai sdk chat via ${backend}`, async () => {
    const completion = await client(backend).chat.completions.create({
      model: 'any',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello native' }],
    });
    assert.equal(completion.choices[0].message.content, 'You said: hello native');
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.equal(completion.usage.completion_tokens, 4);
  });

  test(`openai sdk stream via ${backend}`, async () => {
    const stream = await client(backend, 'fake-model|words=7').chat.completions.create({
      model: 'any',
      messages: [{ role: 'user', content: 'stream' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      usage = chunk.usage ?? usage;
    }
    assert.equal(text.split(' ').length, 7);
    assert.equal(usage.completion_tokens, 7);
  });

  test(`openai sdk tool call via ${backend}`, async () => {
    const completion = await client(backend).chat.completions.create({
      model: 'any',
      tools,
      messages: [{ role: 'user', content: 'weather in Oslo' }],
    });
    const call = completion.choices[0].message.tool_calls[0];
    assert.equal(completion.choices[0].finish_reason, 'tool_calls');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { text: 'weather in Oslo' });
  });
}
