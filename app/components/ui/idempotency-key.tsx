/** The hidden field every create form carries; its value comes from the route's loader. */
export function IdempotencyKeyField({ value }: { value: string }) {
  return <input type="hidden" name="idempotencyKey" value={value} />;
}
