/**
 * The end-to-end matrix, derived from the declared choices (src/options/choices.ts): every framework ×
 * transport × verifier the CLI accepts. A new choice adds its combinations to the tests by itself.
 */
import { frameworks, transports, verifiers, type Framework, type Transport, type Verifier } from '../../src/options/choices.js';
import { createOptionSpecs } from '../../src/options/create-options.js';

export interface Variant {
  framework: Framework;
  transport: Transport;
  verifier: Verifier;
}

export const variants: Variant[] = frameworks.flatMap(({ value: framework }) =>
  transports.flatMap(({ value: transport }) => verifiers.map(({ value: verifier }) => ({ framework, transport, verifier }))),
);

/** What the CLI generates when none of the three is given. */
export const defaultVariant: Variant = (() => {
  const wanted = { framework: createOptionSpecs.framework.default, transport: createOptionSpecs.transport.default, verifier: createOptionSpecs.verifier.default };
  const found = variants.find((v) => v.framework === wanted.framework && v.transport === wanted.transport && v.verifier === wanted.verifier);
  if (!found) throw new Error(`the default choices ${JSON.stringify(wanted)} are not among the declared ones`);
  return found;
})();

/** e.g. `express, streamable-http, jwt` */
export const variantName = ({ framework, transport, verifier }: Variant) => `${framework}, ${transport}, ${verifier}`;
