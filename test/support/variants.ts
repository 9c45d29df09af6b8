/**
 * The end-to-end matrix, derived from the declared choices (src/options/choices.ts): every framework ×
 * transport × verifier the CLI accepts, per language. A new choice adds its combinations to the tests by itself.
 */
import {
  frameworks,
  languageTransports,
  transports,
  verifiers,
  type Framework,
  type Language,
  type Transport,
  type Verifier,
} from '../../src/options/choices.js';
import { createOptionSpecs } from '../../src/options/create-options.js';

export interface Variant {
  framework: Framework;
  transport: Transport;
  verifier: Verifier;
}

/** The values the CLI accepts: a choice marked `unavailable` is refused (and tested as refused, in cli.test.ts). */
const accepted = <C extends { value: string; unavailable?: string }>(choices: readonly C[]): Array<C['value']> =>
  choices.filter((choice) => !choice.unavailable).map((choice) => choice.value);

/** Every combination the CLI accepts for one language. */
function variantsOf(language: Language): Variant[] {
  const ownFrameworks = accepted(frameworks.filter((framework) => framework.language === language));
  const ownTransports = accepted(transports).filter((transport) => languageTransports[language][transport] === true);
  return ownFrameworks.flatMap((framework) =>
    ownTransports.flatMap((transport) => accepted(verifiers).map((verifier) => ({ framework, transport, verifier }))),
  );
}

/** The TypeScript matrix (test/e2e-generated-server.test.ts). */
export const variants: Variant[] = variantsOf('typescript');
/** The Python matrix (test/e2e-python.test.ts). */
export const pythonVariants: Variant[] = variantsOf('python');

/** What the CLI generates when none of the three is given. */
export const defaultVariant: Variant = (() => {
  const framework = createOptionSpecs.framework.default({ language: createOptionSpecs.language.default });
  const wanted = {
    framework,
    transport: createOptionSpecs.transport.default,
    verifier: createOptionSpecs.verifier.default,
  };
  const found = variants.find(
    (v) => v.framework === wanted.framework && v.transport === wanted.transport && v.verifier === wanted.verifier,
  );
  if (!found) throw new Error(`the default choices ${JSON.stringify(wanted)} are not among the declared ones`);
  return found;
})();

/** e.g. `express, streamable-http, jwt` */
export const variantName = ({ framework, transport, verifier }: Variant) => `${framework}, ${transport}, ${verifier}`;
