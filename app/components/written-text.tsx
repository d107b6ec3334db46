/** One written entry in a description list: its label, then the text as written (line breaks kept). */
export function WrittenText({ label, text }: { label: string; text: string }) {
  return (
    <div>
      <dt className="text-sm font-medium text-stone-600">{label}</dt>
      <dd className="mt-0.5 whitespace-pre-wrap">
        {text || <span className="text-stone-600">Not written</span>}
      </dd>
    </div>
  );
}
