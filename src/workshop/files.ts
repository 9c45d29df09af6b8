// The workshop folder's own files (a module of its own, so that the command's help loads nothing else).
export const MANIFEST_FILE = 'workshop.json';
export const KEY_FILE = '.workshop-key';
export const ATTENDEES_FILE = 'attendees.csv';
