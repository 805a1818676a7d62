// The read-only routes of the FastAPI app over the static export (njs): /catalog with profile and
// format negotiation and Hydra pages (publisher/web/catalog.py), /.well-known/void, /dumps/ and the
// versioned /releases/<version>/ (dumps.py), the statistics slices under /data/ (cube_data.py).

import fs from 'fs';
import conneg from 'conneg.js';
import answers from 'answers.js';
import release from 'release.js';

// njs runs a module's top-level code for every request: the larger tables are read when a route needs them
function table(name) {
    return JSON.parse(fs.readFileSync(release.nginxDir + '/' + name, 'utf8'));
}

const CATALOG_ORDER = release.catalogOrder;  // release/formats.py's, written into release.js by the export
const VOID_ORDER = release.voidOrder;
const PROFILE_ITEM = /^\s*(?:<([^>]*)>|([A-Za-z0-9._:\/#-]+))\s*((?:;[^;]*)*)$/;
const DEFAULT_CACHE = 'public, max-age=300, must-revalidate';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const NOSNIFF = ['X-Content-Type-Options', 'nosniff'];
const CORS = ['Access-Control-Allow-Origin', '*'];
const DUMP_EXPOSE = ['Access-Control-Expose-Headers', 'ETag, Last-Modified, Content-Range, Accept-Ranges, Repr-Digest'];
const DATA_MEDIA = {csv: 'text/csv; charset=utf-8', json: 'application/json'};

function route(path) {
    if (path === '/catalog') return {kind: 'catalog'};
    if (path === '/.well-known/void') return {kind: 'void'};
    if (path === '/dumps/') return {kind: 'index'};
    if (path.startsWith('/dumps/')) return {kind: 'dump', name: path.slice(7), file: path};
    let m = /^\/releases\/([^/]+)\/(.+)$/.exec(path);
    if (m) return {kind: 'versioned', version: m[1], name: m[2]};
    m = /^\/data\/observations\.([^/]+)$/.exec(path);
    if (m) return {kind: 'data', what: '/data/observations.' + m[1], ext: m[1]};
    m = /^\/data\/([^/]+)\/([^/]+)\.([^/]+)$/.exec(path);
    if (m) return {kind: 'data', what: path, ext: m[3]};
    return null;
}

function parseAcceptProfile(header) {
    if (!header) return [];
    const out = [];
    conneg.split(header, ',', true).forEach((item, order) => {
        const m = PROFILE_ITEM.exec(item);
        if (!m) return;
        let q = 1.0;
        (m[3] || '').split(';').forEach(param => {
            const eq = param.indexOf('=');
            const key = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
            if (key === 'q') {
                const value = eq < 0 ? '' : param.slice(eq + 1).trim();
                const number = value === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value) ? NaN : Number(value);
                q = isNaN(number) ? 0.0 : Math.max(0.0, Math.min(1.0, number));
            }
        });
        out.push([m[1] !== undefined ? m[1] : m[2], q, order]);
    });
    out.sort((a, b) => (b[1] - a[1]) || (a[2] - b[2]));
    return out;
}

function chooseProfile(cat, param, header) {
    const profiles = cat.profiles;
    const byIri = {};
    Object.keys(profiles).forEach(t => { byIri[profiles[t]] = t; });
    if (param !== undefined) return param in profiles ? param : byIri[param] || null;
    const asked = parseAcceptProfile(header);
    if (!asked.length) return cat.default;
    for (let i = 0; i < asked.length; i++) {
        const name = asked[i][0], q = asked[i][1];
        if (q <= 0) continue;
        if (name === '*') return cat.default;
        const token = name in profiles ? name : byIri[name];
        if (token) return token;
    }
    return null;
}

function chooseFormat(mediatype, accept, order) {
    if (mediatype !== undefined) {
        mediatype = mediatype.trim().replace(/ /g, '+');
        if (order.indexOf(mediatype) >= 0) return conneg.BY_KEY[mediatype];
        const f = conneg.formatFor(mediatype);
        return f && order.indexOf(f.key) >= 0 ? f : null;
    }
    if (accept === undefined) return conneg.BY_KEY[order[0]];
    const chosen = conneg.negotiate(accept, conneg.rdfOffers(order));
    return chosen ? conneg.formatFor(chosen) : null;
}

// a browser (HTML preferred over every RDF format, no _mediatype or _profile) gets the HTML page: catalog.py's wants_html
function wantsHtml(r, q, cat) {
    const accept = r.headersIn['Accept'];
    if ('_mediatype' in q || '_profile' in q || !accept || !cat.html.link) return false;
    return conneg.negotiate(accept, CATALOG_ORDER.map(k => conneg.BY_KEY[k].media).concat(['text/html'])) === 'text/html';
}

function catalogPage(r, site, q, cat, etagOf) {
    const explicit = release.languages.indexOf(q.lang) >= 0 ? q.lang : null;  // ?lang= as the server reads it: exact
    const lang = explicit || conneg.negotiateLanguage(r.headersIn['Accept-Language'], release.languages);
    const file = '/catalog/html.' + lang + (explicit ? '.lang' : '') + '.html';
    const etag = etagOf(r, file);
    answers.representation(r, site, file, etag, [['Content-Type', 'text/html; charset=utf-8'], ['ETag', etag],
        ['Cache-Control', DEFAULT_CACHE], ['Last-Modified', release.lastModifiedHttp],
        ['Vary', 'Accept, Accept-Profile, Accept-Language'], ['Content-Profile', cat.html.profile],
        ['Link', cat.html.link], NOSNIFF], false);
}

function catalog(r, site, etagOf, appError) {
    const q = answers.parseQuery(r.variables.args, true);
    const cat = table('catalog.json');
    if (wantsHtml(r, q, cat)) return catalogPage(r, site, q, cat, etagOf);
    const profile = chooseProfile(cat, q._profile, r.headersIn['Accept-Profile']);
    if (profile === null) {
        return appError(r, 406, 'unknown profile; this catalogue has the profiles '
            + Object.keys(cat.profiles).map(t => t + ' <' + cat.profiles[t] + '>').join(', '));
    }
    const fmt = chooseFormat(q._mediatype, r.headersIn['Accept'], CATALOG_ORDER);
    if (fmt === null) {
        return appError(r, 406, 'the catalogue is available as '
            + CATALOG_ORDER.map(k => conneg.BY_KEY[k].media).join(', '));
    }
    const raw = 'page' in q ? q.page : '1';
    if (!/^[0-9]{1,7}$/.test(raw) || parseInt(raw, 10) < 1) {
        return appError(r, 400, 'page must be a positive whole number, not ' + answers.pyRepr(raw.slice(0, 20)));
    }
    const page = parseInt(raw, 10);
    if (page > cat.pages[profile]) return appError(r, 404, 'the catalogue has ' + cat.pages[profile] + ' page(s)');
    // the page whose Hydra links carry the choice the query made, spelled as the catalogue's links spell
    // it (the profile's token, the format's media type), whatever spelling the query used: as catalog.py
    const variant = ('_profile' in q ? '.p' : '') + ('_mediatype' in q ? '.m' : '');
    const file = '/catalog/' + profile + '.page' + page + variant + '.' + fmt.key;
    const etag = etagOf(r, file);
    const headers = [['Content-Type', fmt.ctype], ['ETag', etag], ['Cache-Control', DEFAULT_CACHE],
                     ['Last-Modified', release.lastModifiedHttp], ['Vary', 'Accept, Accept-Profile'],
                     ['Content-Profile', '<' + cat.profiles[profile] + '>'], ['Link', cat.links[profile + ' ' + fmt.key]],
                     CORS, NOSNIFF];
    answers.representation(r, site, file, etag, headers, false);
}

function voidDescription(r, site, etagOf, appError) {
    const q = answers.parseQuery(r.variables.args, true);
    const fmt = chooseFormat(q._mediatype, r.headersIn['Accept'], VOID_ORDER);
    if (fmt === null) {
        return appError(r, 406, 'the VoID description is available as '
            + VOID_ORDER.map(k => conneg.BY_KEY[k].media).join(', '));
    }
    const file = '/.well-known/void.' + fmt.key;
    const etag = etagOf(r, file);
    answers.representation(r, site, file, etag, [['Content-Type', fmt.ctype], ['ETag', etag],
        ['Cache-Control', DEFAULT_CACHE], ['Last-Modified', release.lastModifiedHttp], ['Vary', 'Accept'],
        ['Link', table('catalog.json').voidLink], CORS, NOSNIFF], false);
}

function dump(r, site, name, cache, etagOf, appError) {
    const file = '/dumps/' + name;
    const dumps = table('dumps.json');
    const etag = dumps[name] ? etagOf(r, file) : null;
    if (etag === null) return appError(r, 404, 'no file ' + answers.pyRepr(name) + ' in this release; the list is at /dumps/');
    const ctype = dumps[name][0], digest = dumps[name][1];
    const headers = [['Content-Type', ctype], NOSNIFF, CORS, DUMP_EXPOSE, ['ETag', etag], ['Cache-Control', cache],
                     ['Last-Modified', release.lastModifiedHttp], ['Accept-Ranges', 'bytes']];
    if (digest) headers.push(['Repr-Digest', digest]);
    answers.representation(r, site, file, etag, headers, true);
}

function answer(r, site, route, etagOf, appError) {
    if (route.kind === 'catalog') return catalog(r, site, etagOf, appError);
    if (route.kind === 'void') return voidDescription(r, site, etagOf, appError);
    if (route.kind === 'dump') return dump(r, site, route.name, DEFAULT_CACHE, etagOf, appError);
    if (route.kind === 'versioned') {
        if (route.version !== release.version) {
            return appError(r, 404, 'this server has release ' + release.version + ', not ' + route.version
                            + '; the current files are listed at /dumps/');
        }
        return dump(r, site, route.name, IMMUTABLE, etagOf, appError);
    }
    if (route.kind === 'index') {
        const etag = etagOf(r, '/dumps-index.json');
        return answers.representation(r, site, '/dumps-index.json', etag, [['Content-Type', 'application/json'], NOSNIFF,
            CORS, DUMP_EXPOSE, ['ETag', etag], ['Cache-Control', DEFAULT_CACHE],
            ['Last-Modified', release.lastModifiedHttp]], false);
    }
    const etag = route.ext in DATA_MEDIA ? etagOf(r, route.what) : null;
    if (etag === null) {
        return appError(r, 404, 'no statistics slice ' + route.what + ' in this release; the list is on the home '
                        + 'page (section Statistik / Statistics)');
    }
    answers.representation(r, site, route.what, etag, [['Content-Type', DATA_MEDIA[route.ext]], NOSNIFF, CORS,
        ['Access-Control-Expose-Headers', 'ETag, Last-Modified'], ['ETag', etag], ['Cache-Control', DEFAULT_CACHE],
        ['Last-Modified', release.lastModifiedHttp]], false);
}

export default {route, answer};
