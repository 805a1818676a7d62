// Answers common to every route of the static site (njs): the query string as Python's parse_qs
// reads it, Python's repr and JSON for error details, conditional requests (publisher/web/caching.py)
// and error bodies in the negotiated form (publisher/web/errors.py). A port, so the two agree.

import fs from 'fs';
import conneg from 'conneg.js';
import release from 'release.js';

const ERROR_OFFERS = release.errorOffers;  // web/errors.py's, written into release.js by the export

function unquote(s) {  // urllib.parse.unquote (UTF-8, errors replaced)
    return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, run => {
        const bytes = [];
        for (let i = 0; i < run.length; i += 3) bytes.push(parseInt(run.slice(i + 1, i + 3), 16));
        return new TextDecoder('utf-8').decode(new Uint8Array(bytes));
    });
}

// urllib.parse.parse_qs (keepBlank false: the Dereferencer) or parse_qsl(keep_blank_values=True)
// (Starlette's QueryParams); the last value of a repeated name wins in both readers we port.
function parseQuery(raw, keepBlank) {
    const out = {};
    const items = (raw || '').split('&');
    for (let i = 0; i < items.length; i++) {
        const nameValue = items[i];
        if (!nameValue) continue;
        const eq = nameValue.indexOf('=');
        if (eq < 0 && !keepBlank) continue;
        const name = eq < 0 ? nameValue : nameValue.slice(0, eq);
        const value = eq < 0 ? '' : nameValue.slice(eq + 1);
        if (!value.length && !keepBlank) continue;
        out[unquote(name.replace(/\+/g, ' '))] = unquote(value.replace(/\+/g, ' '));
    }
    return out;
}

function pyRepr(s) {
    const quote = s.indexOf("'") >= 0 && s.indexOf('"') < 0 ? '"' : "'";
    let out = '';
    for (let i = 0; i < s.length; i++) {
        const ch = s[i], c = s.charCodeAt(i);
        if (ch === '\\' || ch === quote) out += '\\' + ch;
        else if (ch === '\n') out += '\\n';
        else if (ch === '\r') out += '\\r';
        else if (ch === '\t') out += '\\t';
        else if (c < 0x20 || (c >= 0x7f && c < 0xa1) || c === 0xad) out += '\\x' + c.toString(16).padStart(2, '0');
        else out += ch;
    }
    return quote + out + quote;
}

function pyJsonString(s) {  // json.dumps(s) with ensure_ascii
    let out = '"';
    for (let i = 0; i < s.length; i++) {
        const ch = s[i], c = s.charCodeAt(i);
        if (ch === '"') out += '\\"';
        else if (ch === '\\') out += '\\\\';
        else if (ch === '\n') out += '\\n';
        else if (ch === '\r') out += '\\r';
        else if (ch === '\t') out += '\\t';
        else if (ch === '\b') out += '\\b';
        else if (ch === '\f') out += '\\f';
        else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
        else out += ch;
    }
    return out + '"';
}

function htmlEscape(s) {  // markupsafe.escape, as Jinja autoescapes {{ detail }}
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
        .replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}

// (content type, body) of an error, negotiated as errors.error_reply does
function errorBody(site, status, detail, accept, acceptLanguage) {
    const media = conneg.negotiate(accept, ERROR_OFFERS) || 'text/plain';
    if (media === 'text/html') {
        const lang = conneg.negotiateLanguage(acceptLanguage, site.release.languages);
        if (detail === site.release.phrases[String(status)]) {  // the page shows no detail then
            return ['text/html; charset=utf-8',
                    fs.readFileSync(site.errorsDir + '/' + status + '.' + lang + '.phrase.html', 'utf8')];
        }
        const page = fs.readFileSync(site.errorsDir + '/' + status + '.' + lang + '.html', 'utf8');
        return ['text/html; charset=utf-8', page.split(site.release.marker).join(htmlEscape(detail))];
    }
    if (media !== 'text/plain') {
        return ['application/problem+json', '{"status": ' + status + ', "detail": ' + pyJsonString(detail) + '}\n'];
    }
    return ['text/plain; charset=utf-8', status + ': ' + detail + '\n'];
}

function httpDate(value) {  // email.utils.parsedate_to_datetime, a zone required; else null
    if (!value || !/(GMT|UTC|UT|[+-]\d{4})\s*$/.test(value)) return null;
    const t = Date.parse(value);
    return isNaN(t) ? null : t / 1000;
}

function etags(header, strong) {
    const tags = [];
    const parts = header.split(',');
    for (let i = 0; i < parts.length; i++) {
        let tag = parts[i].trim();
        if (tag.startsWith('W/')) {
            if (strong) continue;
            tag = tag.slice(2);
        }
        if (tag) tags.push(tag);
    }
    return tags;
}

// caching.precondition: 412, 304 or null (answer in full)
function precondition(r, etag, lastModified) {
    const ifMatch = r.headersIn['If-Match'];
    if (ifMatch !== undefined) {
        const tags = etags(ifMatch, true);
        if (tags.indexOf('*') < 0 && tags.indexOf(etag) < 0) return 412;
    } else {
        const since = httpDate(r.headersIn['If-Unmodified-Since']);
        if (since !== null && lastModified > since) return 412;
    }
    const inm = r.headersIn['If-None-Match'];
    if (inm !== undefined) {
        const tags = etags(inm, false);
        return tags.indexOf('*') >= 0 || tags.indexOf(etag) >= 0 ? 304 : null;
    }
    const since = httpDate(r.headersIn['If-Modified-Since']);
    return since !== null && lastModified <= since ? 304 : null;
}

function preconditionFailed(etag) {
    return '412: precondition failed: this representation\'s ETag is now ' + etag
        + '; fetch it again without If-Match / If-Unmodified-Since\n';
}

// send a whole answer; headers: [[name, value], ...]
function send(r, status, headers, body) {
    r.status = status;
    headers.forEach(h => { r.headersOut[h[0]] = h[1]; });
    if (body !== null && body !== undefined) {
        r.headersOut['Content-Length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    }
    r.sendHeader();
    if (body && r.method !== 'HEAD') r.send(body);
    r.finish();
}

// the representation in `file` (under the site root) with `headers` (without Content-Length), or
// its 304 / 412; the file goes out through nginx's own static module. A passed If-Match goes to
// @if_match (nginx would judge it against its own validator, not ours). If-Unmodified-Since nginx judges by the
// file's time, which the export set to the release's (or earlier, for the release's own files):
// a request that passed here passes there.
function representation(r, site, file, etag, headers, ranges) {
    const status = precondition(r, etag, site.release.lastModified);
    if (status === 304) {
        return send(r, 304, headers.filter(h => h[0] !== 'Content-Type'), null);
    }
    if (status === 412) {
        const kept = headers.filter(h => h[0] !== 'Content-Type');
        return send(r, 412, [['Content-Type', 'text/plain; charset=utf-8']].concat(kept), preconditionFailed(etag));
    }
    if (r.headersIn['If-Match'] !== undefined) {  // it passed: nginx.conf's @if_match asks again without it
        return r.internalRedirect('@if_match');
    }
    // Last-Modified is the release's: the internal locations say it (nginx would send the file's own)
    // and nginx's static module sends Accept-Ranges itself
    headers.forEach(h => { if (h[0] !== 'Last-Modified' && h[0] !== 'Accept-Ranges') r.headersOut[h[0]] = h[1]; });
    r.internalRedirect((ranges ? '/_ranged' : '/_files') + file);
}

export default {parseQuery, pyRepr, pyJsonString, errorBody, precondition, preconditionFailed, send,
                representation};
