package web

// ruleid: vibeward.go.output_encoding.html-template
import (
	"html"
	"html/template"
	"net/http"

	"github.com/microcosm-cc/bluemonday"
)

var tmpl = template.Must(template.ParseFiles("templates/profile.html"))

func Profile(w http.ResponseWriter, r *http.Request) {
	name := r.FormValue("name")
	// ruleid: vibeward.go.output_encoding.html-escape
	safe := html.EscapeString(name)
	w.Write([]byte("<p>" + safe + "</p>"))
	// ruleid: vibeward.go.output_encoding.html-escape
	bio := bluemonday.UGCPolicy().Sanitize(r.FormValue("bio"))
	// ok: vibeward.go.output_encoding.template-html-request-value
	trusted := template.HTML(bio)
	// ruleid: vibeward.go.output_encoding.template-html-request-value
	raw := template.HTML(name)
	// ok: vibeward.go.output_encoding.template-html-request-value
	footer := template.HTML("<b>static</b>")
	tmpl.Execute(w, map[string]interface{}{"Bio": trusted, "Raw": raw, "Footer": footer})
}
