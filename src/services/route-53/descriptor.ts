/**
 * Amazon Route 53: Berth's descriptor of the service (see ../service-descriptor.ts).
 * Catalogued without a provider: Berth parses its requests with its model and refuses
 * them by name, in its own wire shape. Serving it is adding `provider` (and migrations) here.
 */
import { defineService } from '../service-descriptor.js';

export const ROUTE_53 = defineService({
  id: 'route-53',
  catalog: {
    sdkPackage: '@aws-sdk/client-route-53', clientName: 'Route53Client', protocol: 'restXml', apiVersion: '2013-04-01',
    signingNames: ['route53'], validationError: 'InvalidInput',
  },
});
