/** `telemetry.pricing`: where prices come from and the operator's own overrides. (Filled in by the cost work.) */
import { z } from 'zod';

export const pricingConfigSchema = z.strictObject({}).prefault({});
