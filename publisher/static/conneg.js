// Content negotiation for nginx (njs): a line-by-line port of publisher/web/conneg.py (Accept with
// q-values, wildcards, quoted strings and JSON-LD profiles; Accept-Language with RFC 4647 lookup),
// so the static export chooses exactly what `publisher serve` chooses. tests/test_static_parity.py
// checks the two against each other with the headers of real clients and with the table of
// tests/test_conneg.py. The table of formats comes from release.js, which the export writes.

import release from 'release.js';

// token = [!#$%&'*+.^_`|~0-9A-Za-z-]+ (RFC 9110). Regular-expression literals: njs runs a module's top-level
// code for every request, and compiles a literal once but a `new RegExp` each time (a third of the throughput)
const RANGE_RE = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\/([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*$/;
const PARAM_RE = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+|"(?:[^"\\]|\\.)*")\s*$/;
const Q_RE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;
const LANG_RE = /^\s*(\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)\s*$/;
const MAX_HEADER = 8192;
const REGISTERED = release.registeredProfiles;  // web/conneg.py's REGISTERED_PROFILES
const FORMATS = release.rdfFormats;  // release/formats.py's RDF_FORMATS: key, media type, aliases, content type
const BY_KEY = {};
FORMATS.forEach(f => { BY_KEY[f[0]] = {key: f[0], media: f[1], aliases: f[2], ctype: f[3]}; });

function formatFor(media) {
    for (let i = 0; i < FORMATS.length; i++) {
        const f = FORMATS[i];
        if (media === f[1] || f[2].indexOf(media) >= 0) {
            return BY_KEY[f[0]];
        }
    }
    return null;
}

function rdfOffers(keys) {
    const formats = (keys || FORMATS.map(f => f[0])).map(k => BY_KEY[k]);
    return formats.map(f => f.media).concat([].concat.apply([], formats.map(f => f.aliases)));
}

function pyStrip(s) {  // str.strip(); trim() strips the same whitespace but \x1c-\x1f, and a regex costs 20x more in njs
    return s.trim();
}

// split on `sep` outside quoted strings (backslash escapes) and, with `angles`, outside <...>
function split(header, sep, angles) {
    if (header.indexOf('"') < 0 && !(angles && header.indexOf('<') >= 0)) {
        return header.split(sep);
    }
    const parts = [];
    let start = 0, quoted = false, escaped = false, bracketed = false;
    for (let i = 0; i < header.length; i++) {
        const ch = header[i];
        if (escaped) {
            escaped = false;
        } else if (ch === '\\' && quoted) {
            escaped = true;
        } else if (ch === '"' && !bracketed) {
            quoted = !quoted;
        } else if (angles && !quoted && (ch === '<' || ch === '>')) {
            bracketed = ch === '<';
        } else if (ch === sep && !quoted && !bracketed) {
            parts.push(header.slice(start, i));
            start = i + 1;
        }
    }
    parts.push(header.slice(start));
    return parts;
}

function parseParams(items) {
    const out = [];
    for (let i = 0; i < items.length; i++) {
        const m = PARAM_RE.exec(items[i]);
        if (m) {
            let value = m[2];
            if (value[0] === '"') {
                value = value.slice(1, -1).replace(/\\(.)/g, '$1');
            }
            out.push([m[1].toLowerCase(), value]);
        }
    }
    return out;
}

function profilesOf(params) {
    const out = [];
    for (let i = 0; i < params.length; i++) {
        if (params[i][0] === 'profile') {
            params[i][1].split(/\s+/).filter(Boolean).forEach(uri => { if (out.indexOf(uri) < 0) out.push(uri); });
        }
    }
    return out.sort();
}

function offerParts(media) {
    const semicolon = media.indexOf(';');
    const pieces = semicolon < 0 ? [media] : split(media, ';');
    const head = pyStrip(pieces[0]).toLowerCase();
    const slash = head.indexOf('/');
    const type = slash < 0 ? head : head.slice(0, slash);
    const subtype = slash < 0 ? '' : pyStrip(head.slice(slash + 1));
    return [type, subtype, semicolon < 0 ? [] : profilesOf(parseParams(pieces.slice(1)))];
}

function parseAccept(header) {
    if (!header || header.length > MAX_HEADER) {
        return [];
    }
    const ranges = [];
    split(header, ',').forEach((item, order) => {
        const pieces = split(item, ';');
        const m = RANGE_RE.exec(pieces[0]);
        if (!m) {
            return;
        }
        const type = m[1].toLowerCase(), subtype = m[2].toLowerCase();
        if (type === '*' && subtype !== '*') {
            return;
        }
        let q = 1.0, ok = true;
        const params = [];
        for (let i = 1; i < pieces.length; i++) {
            const piece = pieces[i];
            const pm = PARAM_RE.exec(piece);
            if (!pm) {
                if (pyStrip(piece)) {
                    ok = false;
                }
                continue;
            }
            const key = pm[1].toLowerCase(), value = pm[2];
            if (key === 'q') {
                if (!Q_RE.test(value)) {
                    ok = false;
                    break;
                }
                q = parseFloat(value);
                break;
            }
            if (key === 'profile') {
                parseParams([piece]).forEach(p => params.push(p));
            }
        }
        if (ok) {
            const spec = type === '*' ? 0 : (subtype === '*' ? 1 : 2 + params.length);
            ranges.push({type, subtype, q, order, spec, profiles: profilesOf(params)});
        }
    });
    return ranges;
}

function greater(a, b) {  // tuple comparison, as Python's
    for (let i = 0; i < a.length; i++) {
        if (a[i] !== b[i]) return a[i] > b[i];
    }
    return false;
}

function intersects(a, b) {
    for (let i = 0; i < a.length; i++) {
        if (b.indexOf(a[i]) >= 0) return true;
    }
    return false;
}

// conneg.negotiate, written for an interpreter: the ranges of the same type and profiles are merged
// (the best q kept, in the place of the first), then each offer takes the most specific matching
// range, the higher q on a tie of specificity, the earlier range on a tie of both; as conneg.py's
// candidates (type/subtype, then type/*, then */*) differ in specificity, that is the same choice
function negotiate(header, offers, parts) {  // parts: offerParts of each offer, when the caller has them
    if (!offers.length) return null;
    const ranges = parseAccept(header);
    if (!ranges.length) return offers[0];
    const best = {}, merged = [];
    for (let i = 0; i < ranges.length; i++) {
        const r = ranges[i], key = r.type + '/' + r.subtype + ' ' + r.profiles.join(' ');
        const old = best[key];
        if (old === undefined) {
            best[key] = merged.length;
            merged.push(r);
        } else if (r.q > merged[old].q) {
            merged[old] = r;
        }
    }
    const parsed = parts || [], recognised = [];
    for (let i = 0; i < offers.length; i++) {
        if (!parts) parsed.push(offerParts(offers[i]));
        for (let j = 0; j < parsed[i][2].length; j++) recognised.push(parsed[i][2][j]);
    }
    let chosen = null, score = null;
    for (let i = 0; i < offers.length; i++) {
        const type = parsed[i][0], subtype = parsed[i][1], offered = parsed[i][2];
        let top = null;
        for (let k = 0; k < merged.length; k++) {
            const r = merged[k];
            if ((r.type !== '*' && r.type !== type) || (r.subtype !== '*' && r.subtype !== subtype)) continue;
            if (r.profiles.length) {
                if (offered.length) {
                    if (!intersects(r.profiles, offered)) continue;
                } else if (intersects(r.profiles, (REGISTERED[type + '/' + subtype] || []).concat(recognised))) {
                    continue;
                }
            }
            if (top === null || r.spec > top.spec || (r.spec === top.spec && r.q > top.q)) top = r;
        }
        if (top !== null && top.q > 0) {
            const s = [top.q, top.spec, -top.order, -i];
            if (score === null || greater(s, score)) {
                chosen = offers[i];
                score = s;
            }
        }
    }
    return chosen;
}

function parseAcceptLanguage(header) {
    if (!header || header.length > MAX_HEADER) return [];
    const out = [];
    header.split(',').forEach((item, order) => {
        const pieces = item.split(';');
        const m = LANG_RE.exec(pieces[0]);
        if (!m) return;
        let q = 1.0, ok = true;
        for (let i = 1; i < pieces.length; i++) {
            const pm = PARAM_RE.exec(pieces[i]);
            if (!pm || pm[1].toLowerCase() !== 'q' || !Q_RE.test(pm[2])) {
                ok = false;
                break;
            }
            q = parseFloat(pm[2]);
        }
        if (ok) out.push([m[1].toLowerCase(), q, order]);
    });
    return out;
}

function negotiateLanguage(header, offers) {
    const ranges = parseAcceptLanguage(header);
    let chosen = null, score = null;
    offers.forEach((offer, index) => {
        const tag = offer.toLowerCase();
        let top = null;
        for (let i = 0; i < ranges.length; i++) {
            const rng = ranges[i][0], q = ranges[i][1], order = ranges[i][2];
            let spec;
            if (rng === '*') {
                spec = 0;
            } else if (rng === tag || rng.startsWith(tag + '-')) {
                spec = rng === tag ? 2 : 1;
            } else {
                continue;
            }
            if (top === null || spec > top[0]) top = [spec, q, order];
        }
        if (top !== null && top[1] > 0) {
            const s = [top[1], -top[2], -index];
            if (score === null || greater(s, score)) {
                chosen = offer;
                score = s;
            }
        }
    });
    return chosen === null ? offers[0] : chosen;
}

export default {MAX_HEADER, FORMATS, BY_KEY, formatFor, rdfOffers, split, offerParts, parseAccept, negotiate,
                parseAcceptLanguage, negotiateLanguage};
