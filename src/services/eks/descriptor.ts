/**
 * Amazon EKS: Berth's descriptor of the service (see ../service-descriptor.ts).
 * Catalogued without a provider: Berth parses its requests with its model and refuses
 * them by name, in its own wire shape. Serving it is adding `provider` (and migrations) here.
 */
import { defineService } from '../service-descriptor.js';

export const EKS = defineService({
  id: 'eks',
  catalog: {
    sdkPackage: '@aws-sdk/client-eks', clientName: 'EKSClient', protocol: 'restJson1', apiVersion: '2017-11-01',
    signingNames: ['eks'], validationError: 'InvalidParameterException',
  },
});
