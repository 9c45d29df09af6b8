import type { CommandDefinition } from '../cli/command-line.js';
import { cliInvocation } from '../invocation.js';
import { MANIFEST_FILE } from '../workshop/files.js';
import { starterOptionSpecs, workshopOptionSpecs, workshopRegisterOptionSpecs } from '../workshop/options.js';

export function workshopCommand(): CommandDefinition {
  return {
    name: 'workshop',
    description:
      'Generate one starter project per workshop attendee, each its own git repository; optionally register them in Logto with an app (and a user) each',
    argument: {
      name: 'folder',
      description: 'The workshop folder: one starter per attendee goes into <folder>/<name>/',
      required: true,
    },
    optionGroups: [
      {
        specs: {
          yes: {
            flag: '-y, --yes',
            description:
              'Accept the default for everything not given; ask only for what has no default (with --cleanup: remove without asking)',
          },
          json: {
            flag: '--json',
            description: 'Print the manifest as one JSON object on stdout (passwords only with --show-secret)',
          },
        },
      },
      { title: 'Workshop options:', specs: workshopOptionSpecs },
      { title: 'Starter options (as for create, once for all):', specs: starterOptionSpecs },
      { title: 'Registration options (with --register or --cleanup):', specs: workshopRegisterOptionSpecs },
    ],
    helpAfter: `
Before the workshop, and after it:
  export LOGTO_M2M_APP_ID='<M2M app ID>' LOGTO_M2M_APP_SECRET='<M2M app secret>'
  ${cliInvocation()} workshop ws --yes --issuer https://<tenant>.logto.app/oidc --attendees 30 --register --users
  ${cliInvocation()} workshop ws --cleanup --yes
A re-run takes the answers from ws/${MANIFEST_FILE}, creates only what is missing (a higher --attendees adds attendees) and finishes an interrupted run.`,
    async run(folder, flags) {
      const { workshop } = await import('./workshop.js');
      await workshop(folder!, flags);
    },
  };
}
