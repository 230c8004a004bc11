/**
 * Amazon SQS: Berth's descriptor of the service (see ../service-descriptor.ts).
 * Catalogued without a provider: Berth parses its requests with its model and refuses
 * them by name, in its own wire shape. Serving it is adding `provider` (and migrations) here.
 */
import { defineService } from '../service-descriptor.js';

export const SQS = defineService({
  id: 'sqs',
  catalog: {
    sdkPackage: '@aws-sdk/client-sqs', clientName: 'SQSClient', protocol: 'awsJson1_0', apiVersion: '2012-11-05',
    signingNames: ['sqs'], targetPrefix: 'AmazonSQS', validationError: 'InvalidParameterValue',
  },
});
