// The official `portkey-ai` npm SDK's admin (control-plane) calls against Switchyard, authenticated with the
// gateway's admin token. Each test makes its own workspace, so tests do not depend on one another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Portkey } from 'portkey-ai';

const gateway = process.env.SWITCHYARD_URL;
const adminToken = process.env.SWITCHYARD_ADMIN_TOKEN;

function portkey(apiKey = adminToken) {
  return new Portkey({ baseURL: `${gateway}/v1`, apiKey, maxRetries: 0 });
}

async function newWorkspace(name) {
  const workspace = await portkey().admin.workspaces.create({ name, description: `sdk ${name}` });
  return workspace.id;
}

test('portkey admin workspaces create', async () => {
  const workspace = await portkey().admin.workspaces.create({
    name: 'SDK Team',
    description: 'made by the node sdk',
    defaults: { metadata: { team: 'sdk' } },
    usage_limits: [{ credit_limit: 50, type: 'cost', alert_threshold: 90, periodic_reset: 'monthly' }],
    rate_limits: [{ type: 'requests', unit: 'rpm', value: 10 }],
  });
  assert.equal(workspace.object, 'workspace');
  assert.equal(workspace.name, 'SDK Team');
  assert.match(workspace.slug, /^ws-sdk-team-[0-9a-f]{6}$/);
  assert.deepEqual(workspace.defaults.metadata, { team: 'sdk' });
  assert.equal(workspace.usage_limits[0].credit_limit, 50);
  assert.deepEqual(workspace.rate_limits, [{ type: 'requests', unit: 'rpm', value: 10 }]);
});

test('portkey admin virtual keys create retrieve list', async () => {
  const secret = 'sk-node-sdk-provider-secret-abcd';
  const workspaceId = await newWorkspace('sdk-vk');
  const created = await portkey().virtualKeys.create({
    name: 'Azure East',
    provider: 'azure-openai',
    key: secret,
    note: 'from node',
    workspace_id: workspaceId,
    resourceName: 'east-res',
    deploymentName: 'gpt-4o',
    apiVersion: '2024-10-21',
  });
  assert.equal(created.object, 'virtual-key');
  assert.match(created.slug, /^azure-east-[0-9a-f]{6}$/);

  const retrieved = await portkey().virtualKeys.retrieve({ slug: created.slug });
  assert.equal(retrieved.id, created.id);
  assert.equal(retrieved.name, 'Azure East');
  assert.equal(retrieved.ai_provider_name, 'azure-openai');
  assert.equal(retrieved.masked_api_key, 'sk-n…abcd');
  assert.deepEqual(retrieved.model_config, {
    azure_resource_name: 'east-res',
    azure_deployment_id: 'gpt-4o',
    azure_api_version: '2024-10-21',
  });
  assert.ok(!JSON.stringify(retrieved).includes(secret));

  const list = await portkey().virtualKeys.list({ workspace_id: workspaceId });
  assert.equal(list.object, 'list');
  assert.equal(list.total, 1);
  assert.equal(list.data[0].slug, created.slug);
  assert.ok(!JSON.stringify(list).includes(secret));
});

test('portkey admin api keys create retrieve', async () => {
  const workspaceId = await newWorkspace('sdk-keys');
  const created = await portkey().apiKeys.create({
    type: 'workspace',
    'sub-type': 'service',
    name: 'node service key',
    scopes: ['completions.write'],
    workspace_id: workspaceId,
    rate_limits: [{ type: 'requests', unit: 'rpm', value: 100 }],
  });
  assert.equal(created.object, 'api-key');
  assert.match(created.key, /^sk-sy-/);

  const retrieved = await portkey().apiKeys.retrieve({ id: created.id });
  assert.equal(retrieved.id, created.id);
  assert.equal(retrieved.name, 'node service key');
  assert.equal(retrieved.workspace_id, workspaceId);
  assert.equal(retrieved.type, 'workspace-service');
  assert.deepEqual(retrieved.scopes, ['completions.write']);
  assert.notEqual(retrieved.key, created.key);
  assert.ok(!JSON.stringify(retrieved).includes(created.key));
});

test('portkey admin configs create retrieve', async () => {
  const workspaceId = await newWorkspace('sdk-configs');
  const config = { strategy: { mode: 'fallback' }, targets: [{ provider: 'openai' }, { provider: 'anthropic' }] };
  const created = await portkey().configs.create({ name: 'node fallback', config, isDefault: 0, workspace_id: workspaceId });
  assert.match(created.slug, /^pc-node-fallback-[0-9a-f]{6}$/);
  assert.ok(created.version_id);

  const retrieved = await portkey().configs.retrieve({ slug: created.slug });
  assert.equal(retrieved.slug, created.slug);
  assert.equal(retrieved.name, 'node fallback');
  assert.equal(retrieved.version_id, created.version_id);
  assert.deepEqual(retrieved.config, config);
});

test('portkey admin errors are typed', async () => {
  await assert.rejects(portkey('wrong-token').admin.workspaces.create({ name: 'nope' }), (error) => {
    assert.equal(error.status, 401);
    assert.match(error.message, /admin token/);
    return true;
  });
  const workspaceId = await newWorkspace('sdk-errors');
  await assert.rejects(
    portkey().configs.create({ name: 'bad', workspace_id: workspaceId, config: { strategy: { mode: 'sometimes' } } }),
    (error) => {
      assert.equal(error.status, 400);
      assert.match(error.message, /config\.strategy\.mode/);
      return true;
    },
  );
});
