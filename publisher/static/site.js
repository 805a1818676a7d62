// The HTTP behaviour of `publisher serve` over the static export, for nginx's njs module: a port of
// the routes in publisher/web/resources.py (/, /id/, /def/, /doc/, sitemap, robots), catalog.py
// (/catalog, /.well-known/void), dumps.py (/dumps/) and cube_data.py (/data/). Every body is a file
// the export wrote with the server's own code; this module only chooses the file and the headers.
// The release's constants come from release.js, written by the export; the ETag of each file from
// the nginx map $ks_etag (keyed by $ks_file).

import conneg from 'conneg.js';
import answers from 'answers.js';
import release from 'release.js';
import catalog from 'catalog.js';

const site = {release, root: release.root, errorsDir: release.errorsDir};
const SUFFIXES = ['html', 'ttl', 'jsonld', 'rdf', 'nt'];
const RDF_KEYS = ['ttl', 'jsonld', 'rdf', 'nt'];
const HTML_TYPES = ['text/html', 'application/xhtml+xml'];
// the server's offers (web/resources.py), and the same taken apart (conneg.offerParts), written into
// release.js by the export: njs runs this module's top level for every request, and taking them apart
// there costs more than the whole negotiation
const DOC_OFFERS = release.docOffers;
const DOC_PARTS = release.docParts;
const LANDING_OFFERS = release.landingOffers;
const LANDING_PARTS = release.landingParts;
const AVAILABLE = release.available;
const COMMON = [['X-Content-Type-Options', 'nosniff'], ['Access-Control-Allow-Origin', '*'],
                ['Access-Control-Expose-Headers', 'ETag, Link, Location, Content-Location, Vary']];
const ALLOW = 'GET, HEAD, OPTIONS';
const CACHE = 'public, max-age=300, must-revalidate';
const PREFLIGHT = 'Accept, Accept-Language, If-None-Match, If-Modified-Since, If-Match, If-Unmodified-Since';
const NOSNIFF = [['X-Content-Type-Options', 'nosniff']];

function etagOf(r, file) {  // capitals escaped: nginx's map ignores case (export.map_key)
    r.variables.ks_file = file.replace(/[A-Z^]/g, c => '^' + c.toLowerCase());
    return r.variables.ks_etag || null;
}

function exists(r, key) {
    return key !== '' && etagOf(r, '/doc/' + key + '.ttl') !== null;
}

function split(r, path) {  // Documents.split
    if (exists(r, path)) return [path, null];
    const dot = path.lastIndexOf('.');
    if (dot >= 0 && SUFFIXES.indexOf(path.slice(dot + 1)) >= 0 && exists(r, path.slice(0, dot))) {
        return [path.slice(0, dot), path.slice(dot + 1)];
    }
    return null;
}

function error(r, status, detail, extra, negotiateBody) {  // Dereferencer.error
    const accept = negotiateBody === false ? 'text/plain' : r.headersIn['Accept'];
    const reply = answers.errorBody(site, status, detail, accept, r.headersIn['Accept-Language']);
    const ctype = reply[0], body = reply[1];
    const vary = (extra || []).some(h => h[0] === 'Vary') ? [] : [['Vary', 'Accept, Accept-Language']];
    answers.send(r, status, [['Content-Type', ctype], ['Cache-Control', 'no-cache']].concat(vary, extra || [], COMMON),
                 body);
}

function appError(r, status, detail, extra) {  // the FastAPI app's handler (app.py http_error)
    const reply = answers.errorBody(site, status, detail, r.headersIn['Accept'], r.headersIn['Accept-Language']);
    const ctype = reply[0], body = reply[1];
    answers.send(r, status, [['Content-Type', ctype]].concat(extra || [], NOSNIFF), body);
}

function tooLong(r) {  // resources.too_long_reply
    const names = ['Accept', 'Accept-Language', 'Accept-Profile'];
    for (let i = 0; i < names.length; i++) {
        const name = names[i], value = r.headersIn[name];
        if (value !== undefined && value.length > conneg.MAX_HEADER) {
            const body = '431: the ' + name + ' header has ' + value.length + ' characters; this server reads at most '
                + conneg.MAX_HEADER + ' (a browser sends a few hundred): send a shorter list of what you accept\n';
            answers.send(r, 431, [['Content-Type', 'text/plain; charset=utf-8'], ['Cache-Control', 'no-store']]
                .concat(COMMON), body);
            return true;
        }
    }
    return false;
}

function formatParam(value) {
    value = value.trim().replace(/ /g, '+').toLowerCase();
    if (SUFFIXES.indexOf(value) >= 0) return value;
    if (HTML_TYPES.indexOf(value) >= 0) return 'html';
    const f = conneg.formatFor(value);
    return f ? f.key : null;
}

function requestedFormat(r, query) {  // a format key, or null once an error was sent
    if ('format' in query) {
        const fmt = formatParam(query.format);
        if (fmt === null) {
            error(r, 400, 'unknown format ' + answers.pyRepr(query.format.slice(0, 40)) + '; use one of html, ttl, '
                  + 'jsonld, rdf, nt (or their media types: ' + AVAILABLE + ')');
        }
        return fmt;
    }
    let fmt = null;
    const known = r.variables.ks_doc_format;  // chosen at export time for the headers clients send
    if (known) {
        fmt = known === '406' ? null : known;
    } else {
        const media = conneg.negotiate(r.headersIn['Accept'], DOC_OFFERS, DOC_PARTS);
        if (media !== null) {
            fmt = HTML_TYPES.indexOf(media) >= 0 ? 'html' : (conneg.formatFor(media.split(';')[0]) || {}).key || null;
        }
    }
    if (fmt === null) {
        error(r, 406, 'none of the formats you accept is available; available: ' + AVAILABLE, [['Vary', 'Accept']],
              false);
    }
    return fmt;
}

function seeOther(r, target) {
    answers.send(r, 303, [['Location', target], ['Vary', 'Accept'], ['Cache-Control', CACHE],
                          ['Content-Type', 'text/plain; charset=utf-8']].concat(COMMON),
                 '303 See Other: ' + target + '\n');
}

function thing(r, key, query, explicit) {
    const found = split(r, key);
    if (found === null || found[1] !== null) {
        return error(r, 404, 'no resource /' + (key.startsWith('def') ? '' : 'id/') + key + ' in this dataset');
    }
    const fmt = requestedFormat(r, query);
    if (fmt === null) return;
    let target = fmt === 'html' ? '/doc/' + key : '/doc/' + key + '.' + fmt;
    if (explicit && fmt === 'html') target += '?lang=' + explicit;
    seeOther(r, target);
}

function linkHeader(docPath) {
    const parts = RDF_KEYS.map(k => '<' + docPath + '.' + k + '>; rel="alternate"; type="' + conneg.BY_KEY[k].media + '"');
    parts.push('<' + docPath + '.html>; rel="alternate"; type="text/html"');
    parts.push('<' + docPath + '>; rel="canonical"');
    return parts.join(', ');
}

function baseHeaders(etag, ctype, vary, lang) {  // Dereferencer._headers, without Content-Length
    const out = [['Content-Type', ctype], ['ETag', etag], ['Last-Modified', release.lastModifiedHttp],
                 ['Cache-Control', CACHE]];
    if (vary) out.push(['Vary', vary]);
    if (lang) out.push(['Content-Language', lang]);
    return out;
}

function language(r) {
    return r.variables.ks_language || conneg.negotiateLanguage(r.headersIn['Accept-Language'], release.languages);
}

function documentFile(key, fmt, lang, explicit, page) {
    const stem = '/doc/' + key + (page > 1 ? '.page' + page : '');
    return fmt === 'html' ? stem + '.' + lang + (explicit ? '.lang' : '') + '.html' : stem + '.' + fmt;
}

function doc(r, rest, query, explicit) {
    const found = split(r, rest);
    if (found === null) return error(r, 404, 'no document /doc/' + rest + ' in this dataset');
    const key = found[0], fixed = found[1];
    const fmt = fixed || requestedFormat(r, query);
    if (fmt === null) return;
    let page = 1;
    if ('page' in query) {
        const raw = query.page;
        if (!/^[0-9]+$/.test(raw) || raw.length > 9 || parseInt(raw, 10) < 1) {
            return error(r, 400, 'page must be a whole number from 1, not ' + answers.pyRepr(raw.slice(0, 20)));
        }
        page = parseInt(raw, 10);
        if (page > 1) {
            const last = parseInt(etagOf(r, '#pages/' + key) || '1', 10);
            if (page > last) {
                return error(r, 404, '/doc/' + key + ' has ' + last + ' page' + (last > 1 ? 's' : '')
                             + '; there is no page ' + page);
            }
        }
    }
    const lang = fmt === 'html' ? explicit || language(r) : null;
    const file = documentFile(key, fmt, lang, explicit, page);
    const etag = etagOf(r, file);
    const ctype = fmt === 'html' ? 'text/html; charset=utf-8' : conneg.BY_KEY[fmt].ctype;
    const vary = fixed === 'html' ? 'Accept-Language' : (fixed ? null : 'Accept, Accept-Language');
    const headers = baseHeaders(etag, ctype, vary, lang);
    headers.push(['Link', linkHeader('/doc/' + key)]);
    if (!fixed) headers.push(['Content-Location', '/doc/' + key + '.' + fmt + (page > 1 ? '?page=' + page : '')]);
    answers.representation(r, site, file, etag, headers.concat(COMMON), false);
}

function landing(r, explicit) {
    const known = r.variables.ks_landing;
    if (known ? known === 'void'
        : [null, 'text/html'].indexOf(conneg.negotiate(r.headersIn['Accept'], LANDING_OFFERS, LANDING_PARTS)) < 0) {
        return seeOther(r, '/.well-known/void');
    }
    const lang = explicit || language(r);
    const file = '/index.' + lang + (explicit ? '.lang' : '') + '.html';
    const etag = etagOf(r, file);
    const headers = baseHeaders(etag, 'text/html; charset=utf-8', 'Accept, Accept-Language', lang);
    headers.push(['Link', release.landingLink]);
    answers.representation(r, site, file, etag, headers.concat(COMMON), false);
}

function plainFile(r, file, ctype) {  // sitemap, robots: Dereferencer.conditional
    const etag = etagOf(r, file);
    answers.representation(r, site, file, etag, [['Content-Type', ctype], ['ETag', etag],
        ['Last-Modified', release.lastModifiedHttp], ['Cache-Control', CACHE]].concat(COMMON), false);
}

// `location /` of the nginx site: the Dereferencer's paths and the app's read-only routes
function handle(r) {
    if (tooLong(r)) return;
    const path = r.uri;
    let route = null;
    if (path === '/') route = ['landing', ''];
    else if (path.startsWith('/doc/')) route = ['doc', path.slice(5)];
    else if (path === '/id' || path === '/id/') route = ['thing', release.entryKey];
    else if (path.startsWith('/id/')) route = ['thing', path.slice(4)];
    else if (path === '/def' || path === '/def/') route = ['thing', 'def'];
    else if (path.startsWith('/def/')) route = ['thing', path.slice(1)];
    else if (path === '/sitemap.xml' || path === '/robots.txt') route = ['static', path];
    if (route === null) return appRoutes(r, path);
    if (r.method === 'OPTIONS') {
        return answers.send(r, 204, [['Allow', ALLOW], ['Access-Control-Allow-Methods', ALLOW],
            ['Access-Control-Allow-Headers', PREFLIGHT], ['Access-Control-Max-Age', '86400']].concat(COMMON), '');
    }
    if (r.method !== 'GET' && r.method !== 'HEAD') {
        return error(r, 405, r.method + ' is not allowed here; use GET or HEAD', [['Allow', ALLOW]]);
    }
    const query = answers.parseQuery(r.variables.args, false);
    const langParam = (query.lang || '').toLowerCase();
    const explicit = release.languages.indexOf(langParam) >= 0 ? langParam : null;
    const kind = route[0], rest = route[1];
    if (kind === 'thing') return thing(r, rest, query, explicit);
    if (kind === 'doc') return doc(r, rest, query, explicit);
    if (kind === 'landing') return landing(r, explicit);
    return rest === '/sitemap.xml' ? plainFile(r, '/sitemap.xml', 'application/xml')
        : plainFile(r, '/robots.txt', 'text/plain; charset=utf-8');
}

function appRoutes(r, path) {
    const route = catalog.route(path);
    if (route === null) {
        // Starlette's redirect_slashes: a path that matches a route once its trailing slash is added or removed
        const other = path.endsWith('/') ? path.replace(/\/+$/, '') : path + '/';
        if (path !== '/' && (catalog.route(other) !== null || other === '/sparql')) {
            const host = r.headersIn['Host'] || r.variables.server_addr + ':' + r.variables.server_port;
            const args = r.variables.args ? '?' + r.variables.args : '';
            return answers.send(r, 307, [['Location', 'http://' + host + other + args]], '');
        }
        return appError(r, 404, 'Not Found');
    }
    if (r.method !== 'GET' && r.method !== 'HEAD') {
        return appError(r, 405, 'Method Not Allowed', [['Allow', 'GET, HEAD']]);
    }
    return catalog.answer(r, site, route, etagOf, appError);
}

export default {handle};
