/**
 * Amazon CloudWatch (metrics and alarms): Berth's descriptor of the service (see ../service-descriptor.ts).
 * Catalogued without a provider: Berth parses its requests with its model and refuses
 * them by name, in its own wire shape. Serving it is adding `provider` (and migrations) here.
 */
import { defineService } from '../service-descriptor.js';

export const CLOUDWATCH = defineService({
  id: 'cloudwatch',
  catalog: {
    sdkPackage: '@aws-sdk/client-cloudwatch', clientName: 'CloudWatchClient', protocol: 'awsJson1_0', apiVersion: '2010-08-01',
    signingNames: ['monitoring'], targetPrefix: 'GraniteServiceVersion20100801', validationError: 'InvalidParameterValue',
  },
});
