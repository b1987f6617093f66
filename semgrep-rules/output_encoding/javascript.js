// Test target for semgrep-rules/output_encoding/javascript.yml (parsed only, never run).
const DOMPurify = require('dompurify');
const nunjucks = require('nunjucks');

// ruleid: vibeward.javascript.output_encoding.template-autoescape
nunjucks.configure('views', { autoescape: true, express: app });

function render(el, comment) {
  // ruleid: vibeward.javascript.output_encoding.html-sanitizer
  el.innerHTML = DOMPurify.sanitize(comment.body);
}

function renderRaw(el, comment) {
  // ruleid: vibeward.javascript.output_encoding.raw-html-sink
  el.innerHTML = comment.body;
  // ok: vibeward.javascript.output_encoding.raw-html-sink
  el.innerHTML = '<p>Loading…</p>';
}

function Comment({ html }) {
  // ruleid: vibeward.javascript.output_encoding.raw-html-sink
  return <div dangerouslySetInnerHTML={{ __html: html }} />;
}

function SafeComment({ html }) {
  // ok: vibeward.javascript.output_encoding.raw-html-sink
  // ruleid: vibeward.javascript.output_encoding.html-sanitizer
  return <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(html) }} />;
}

app.get('/search', (req, res) => {
  // ruleid: vibeward.javascript.output_encoding.reflected-request-html
  res.send(`<h1>Results for ${req.query.q}</h1>`);
});

app.get('/hello', (req, res) => {
  // ok: vibeward.javascript.output_encoding.reflected-request-html
  res.send(`Hello ${req.query.name}`);
});

// ruleid: vibeward.javascript.output_encoding.autoescape-disabled
const env = new nunjucks.Environment(loader, { autoescape: false });
