/**
 * The dummy cache (Django's DummyCache): implements the interface and keeps
 * nothing, for development settings where caching would hide changes. Every read
 * is a miss; `add` reports success as Django's does; `incr` finds no key.
 */
import { CacheBackend, type Ttl } from '../backend.ts';

export class DummyCache extends CacheBackend {
  readonly shared = false;

  async get(_key: string): Promise<unknown> {
    return undefined;
  }

  async set(_key: string, _value: unknown, _ttl: Ttl): Promise<void> {}

  async add(_key: string, _value: unknown, _ttl: Ttl): Promise<boolean> {
    return true;
  }

  async delete(_key: string): Promise<boolean> {
    return false;
  }

  async touch(_key: string, _ttl: Ttl): Promise<boolean> {
    return false;
  }

  async incr(_key: string, _delta: number): Promise<number | undefined> {
    return undefined;
  }

  async clear(): Promise<void> {}
}
