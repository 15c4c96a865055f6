/**
 * Listeners of one event. A throwing listener must not stop the others nor the driver that
 * emits (a bug in the gate logic must not kill the beam watcher), so each call is guarded and
 * the error handed to `onError` (the part's logger).
 */
export class ListenerSet<T> {
  private readonly listeners = new Set<(value: T) => void>();

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Adds a listener; returns the function that removes it. */
  add(listener: (value: T) => void): () => void {
    // Wrapped so the same function added twice is two subscriptions, each removable on its own.
    const entry = (value: T): void => listener(value);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  emit(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
