// GET /images is the API's most frequent read, and the images change rarely: reading the
// rows, decoding them and serializing them cost several times the rest of the request
// (bench/api.bench.ts). So the last listing is kept, with each image's JSON text, for as
// long as the store's change mark stays the same (Store.changeMark: any write of this
// process, any commit of another); a store that cannot tell gets a fresh listing every time.
import type { ImageRecord, Store } from '../store/types.js';
import { imageJson } from './serialize.js';

export interface ImageListing {
  /** every image, in the store's order; shared by the requests that read this listing: never changed */
  images: readonly ImageRecord[];
  /** images[i] as the API shows it (imageJson), in JSON text */
  json: readonly string[];
}

export function imageListing(store: Store): () => Promise<ImageListing> {
  let kept: (ImageListing & { mark: string }) | undefined;
  return async () => {
    const mark = store.changeMark(); // before the read: a change during the read makes the next call read again
    if (mark !== undefined && kept?.mark === mark) return kept;
    const images = await store.images.list();
    const listing = { images, json: images.map((i) => JSON.stringify(imageJson(i))) };
    kept = mark === undefined ? undefined : { ...listing, mark };
    return listing;
  };
}

/** The JSON array of the listed images that `keep` accepts (all without it). */
export function listingJson(listing: ImageListing, keep?: (image: ImageRecord) => boolean): string {
  const parts = keep ? listing.json.filter((_, i) => keep(listing.images[i]!)) : listing.json;
  return `[${parts.join(',')}]`;
}
