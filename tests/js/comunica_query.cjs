// Run one SPARQL query with Comunica against an endpoint; print the result as JSON on stdout.
// usage: node comunica_query.cjs ENDPOINT QUERY
const { QueryEngine } = require('@comunica/query-sparql');

function term(t) {
  return { termType: t.termType, value: t.value, language: t.language || undefined,
           datatype: t.datatype ? t.datatype.value : undefined };
}

(async () => {
  const [endpoint, query] = process.argv.slice(2);
  const engine = new QueryEngine();
  const context = { sources: [{ type: 'sparql', value: endpoint }] };
  const result = await engine.query(query, context);
  let out;
  if (result.resultType === 'bindings') {
    const rows = await (await result.execute()).toArray();
    out = { type: 'bindings', rows: rows.map(b => Object.fromEntries([...b].map(([k, v]) => [k.value, term(v)]))) };
  } else if (result.resultType === 'boolean') {
    out = { type: 'boolean', value: await result.execute() };
  } else {
    const quads = await (await result.execute()).toArray();
    out = { type: 'quads', quads: quads.map(q => [term(q.subject), term(q.predicate), term(q.object)]) };
  }
  process.stdout.write(JSON.stringify(out));
})().catch(err => { process.stderr.write(String(err && err.stack || err)); process.exit(1); });
