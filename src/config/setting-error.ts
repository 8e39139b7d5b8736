/**
 * A setting that passed validation but cannot be used when the config is applied: a file that
 * cannot be read, an environment variable that is not a URL. `path` is below the setting's owner
 * (a provider's config, a manual handler's, `telemetry.traces`); the gateway reports it as a config
 * problem there (load-config.ts, `asConfigError`). Its message never repeats a value that may hold a secret.
 */
export class SettingError extends Error {
  override name = 'SettingError';
  constructor(
    readonly path: readonly string[],
    message: string,
  ) {
    super(message);
  }
}
