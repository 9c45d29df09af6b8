import yoctoSpinner from 'yocto-spinner';
import { formatDuration } from './duration.js';

/**
 * In a terminal, a spinner counting down the time left; elsewhere `plain()` says once how long try waits.
 * Returns the function that stops it.
 */
export function startCountdown(
  stream: NodeJS.WriteStream,
  text: string,
  timeoutMs: number,
  plain: () => void,
): () => void {
  if (!stream.isTTY) {
    plain();
    return () => undefined;
  }
  const deadline = Date.now() + timeoutMs;
  const label = () => `${text} (${formatDuration(Math.max(0, deadline - Date.now()))} left; Ctrl-C to stop)`;
  const spinner = yoctoSpinner({ text: label(), stream }).start();
  const timer = setInterval(() => {
    spinner.text = label();
  }, 1000);
  return () => {
    clearInterval(timer);
    spinner.stop();
  };
}
