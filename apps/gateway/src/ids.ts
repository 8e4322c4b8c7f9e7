const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are uuids in Postgres; anything else cannot exist (and must not reach a ::uuid cast). */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
