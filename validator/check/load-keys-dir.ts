/** Loads a keys directory (keys/keys-dir.ts) into a TrustStore pinned to its root key. */
import { KEYS_FILES, readBundle, readRootPublicKey } from '../../keys/keys-dir.ts';
import { TrustStore } from './trust-store.ts';

export function trustStoreFromKeysDir(dir: string): TrustStore {
  const store = new TrustStore(readRootPublicKey(dir));
  store.applyTrustList(readBundle(dir, KEYS_FILES.trustList));
  store.applyDenyList(readBundle(dir, KEYS_FILES.denyList));
  return store;
}
