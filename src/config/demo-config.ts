/**
 * The config `switchyard start` serves when given none: two built-in mock providers, the primary
 * flaky, so the fallback chain is visible from the first request. No keys, no network.
 */
export const DEMO_CONFIG_YAML = `# Switchyard demo: built-in mock providers, no API keys, no network.
server:
  host: \${SWITCHYARD_HOST:-127.0.0.1}
  port: \${SWITCHYARD_PORT:-8080}
  # Admin API (/admin/...): send "Authorization: Bearer <token>".
  admin_token: \${SWITCHYARD_ADMIN_TOKEN:-demo-admin-token}

# Every finished request is written to .switchyard/requests.db (SQLite; the default, so not set here):
# \`switchyard log\` lists recent requests, \`switchyard replay REQUEST_ID\` re-runs a fallback decision.
# Settings live under telemetry.request_log (store: sqlite | postgres | off, path, url, retention).

# The mock models have no list price; these made-up ones show the cost per hop in the request
# log (\`switchyard log\`) and the metrics.
telemetry:
  pricing:
    models:
      mock-large: { input_per_mtok: 2.5, output_per_mtok: 10, cached_input_per_mtok: 1.25 }
      mock-small: { input_per_mtok: 0.15, output_per_mtok: 0.6 }
      mock-embed: { input_per_mtok: 0.02, output_per_mtok: 0 }

providers:
  mock-primary:
    type: mock
    latency_ms: { p50: 40, p99: 150 }
    faults:
      # One request in four fails with a 503: the chain falls back to the backup.
      - kind: error
        status: 503
        rate: 0.25
  mock-backup:
    type: mock
    latency_ms: { p50: 60, p99: 200 }

deployments:
  primary-large:
    provider: mock-primary
    model: mock-large
    context_window: 128000
  backup-small:
    provider: mock-backup
    model: mock-small
    context_window: 32000
  primary-embed:
    provider: mock-primary
    model: mock-embed
  backup-embed:
    provider: mock-backup
    model: mock-embed

routes:
  chat:
    chain: [primary-large, backup-small]
    timeouts: { first_byte_ms: 10000, idle_ms: 5000, total_ms: 30000 }
    deadline_ms: 60000
  embed:
    chain: [primary-embed, backup-embed]
`;
