// The official `portkey-ai` npm SDK's feedback, logs, exports and analytics calls against Switchyard, with the
// gateway's admin token. Each test makes its own workspace, so tests do not depend on one another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Portkey } from 'portkey-ai';

const gateway = process.env.SWITCHYARD_URL;
const adminToken = process.env.SWITCHYARD_ADMIN_TOKEN;

function portkey() {
  return new Portkey({ baseURL: `${gateway}/v1`, apiKey: adminToken, maxRetries: 0 });
}

async function newWorkspace(name) {
  const workspace = await portkey().admin.workspaces.create({ name: `${name}-${Date.now()}` });
  return workspace.id;
}

function customLog(workspaceId, traceId, model) {
  return {
    workspace_id: workspaceId,
    request: {
      url: 'https://llm.example/v1/chat/completions',
      method: 'POST',
      headers: { authorization: 'Bearer sk-do-not-keep', 'content-type': 'application/json' },
      body: { model, messages: [{ role: 'user', content: 'hi' }] },
    },
    response: { status: 200, headers: {}, body: { model, usage: { prompt_tokens: 3, completion_tokens: 4 } }, response_time: 120 },
    metadata: { trace_id: traceId, _user: 'node-user' },
  };
}

test('portkey feedback create and update', async () => {
  const workspaceId = await newWorkspace('sdk-feedback');
  const one = await portkey().feedback.create({ traceID: 'node-trace-1', value: 5, weight: 0.5, workspace_id: workspaceId });
  assert.equal(one.status, 'success');
  assert.equal(one.feedback_id.length, 1);

  const many = await portkey().feedback.create([
    { traceID: 'node-trace-2', value: -3, workspace_id: workspaceId },
    { traceID: 'node-trace-3', value: 10 },
  ]);
  assert.equal(many.feedback_ids.length, 2);

  const updated = await portkey().feedback.update({ feedbackID: one.feedback_ids[0], value: 7, weight: 1 });
  assert.deepEqual(updated.feedback_ids, [one.feedback_ids[0]]);

  await assert.rejects(portkey().feedback.create({ traceID: 'node-trace-4', value: 42, workspace_id: workspaceId }), (error) => {
    assert.equal(error.status, 400);
    return true;
  });
});

test('portkey custom logs and exports', async () => {
  const workspaceId = await newWorkspace('sdk-logs');
  await portkey().logs.create(customLog(workspaceId, 'node-log-trace', 'node-model'));
  await portkey().logs.create([customLog(workspaceId, 'node-log-trace', 'node-model'), customLog(workspaceId, 'other', 'other-model')]);

  const created = await portkey().logs.exports.create({
    workspaceId,
    filters: { ai_model: 'node-model' },
    requestedData: ['id', 'trace_id', 'ai_model', 'request'],
    description: 'node export',
  });
  assert.equal(created.object, 'export');
  assert.equal(created.total, 2);

  const list = await portkey().logs.exports.list({ workspaceId });
  assert.equal(list.object, 'list');
  assert.deepEqual(list.data.map((e) => e.id), [created.id]);

  const started = await portkey().logs.exports.start({ exportId: created.id });
  assert.equal(started.object, 'export');
  let retrieved;
  for (let i = 0; i < 200; i++) {
    retrieved = await portkey().logs.exports.retrieve({ exportId: created.id });
    if (retrieved.status !== 'in_progress') break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.equal(retrieved.status, 'success');
  assert.equal(retrieved.total, 2);

  const { signed_url: signedUrl } = await portkey().logs.exports.download({ exportId: created.id });
  const file = await fetch(signedUrl);
  assert.equal(file.status, 200);
  const lines = (await file.text()).trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(lines.length, 2);
  assert.deepEqual(Object.keys(lines[0]), ['id', 'trace_id', 'ai_model', 'request']);
  assert.equal(lines[0].trace_id, 'node-log-trace');
  assert.equal(lines[0].ai_model, 'node-model');
  assert.equal(lines[0].request.headers.authorization, undefined);
  assert.equal(lines[0].request.headers['content-type'], 'application/json');
});

test('portkey analytics graphs and groups', async () => {
  const workspaceId = await newWorkspace('sdk-analytics');
  await portkey().logs.create([customLog(workspaceId, 'a-1', 'm-1'), customLog(workspaceId, 'a-2', 'm-1'), customLog(workspaceId, 'a-3', 'm-2')]);
  const now = Date.now();
  const query = {
    time_of_generation_min: new Date(now - 3600_000).toISOString(),
    time_of_generation_max: new Date(now + 3600_000).toISOString(),
    workspace_slug: workspaceId,
  };

  const requests = await portkey().analytics.graphs.requests(query);
  assert.equal(requests.object, 'analytics-graph');
  assert.equal(requests.summary.total, 3);
  assert.equal(requests.data_points.reduce((sum, p) => sum + p.total, 0), 3);

  const tokens = await portkey().analytics.graphs.tokens(query);
  assert.equal(tokens.summary.total, 21);

  const errorsRate = await portkey().analytics.graphs.errors_rate(query);
  assert.equal(errorsRate.summary.rate, 0);

  const users = await portkey().analytics.graphs.users(query);
  assert.equal(users.summary.total, 1);

  const models = await portkey().analytics.groups.aiModels(query);
  assert.equal(models.total, 2);
  assert.deepEqual(models.data.map((m) => [m.ai_model, m.requests]), [['m-1', 2], ['m-2', 1]]);

  const cache = await portkey().analytics.summary.cache(query);
  assert.equal(cache.object, 'analytics-summary');
  assert.equal(cache.summary.total_requests, 3);
});
