package console

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxImport bounds an uploaded OpenAPI file (API Gateway takes up to 6 MB).
const maxImport = 6 << 20

// importAPI imports an uploaded OpenAPI file as a new REST API
// (ImportRestApi) or HTTP API (apigatewayv2 ImportApi) and opens it, with
// the import's warnings.
func (c *Console) importAPI(w http.ResponseWriter, r *http.Request, v *view) {
	f, _, err := r.FormFile("file")
	if err != nil {
		c.fail(w, r, v, http.StatusBadRequest, &apiError{Status: http.StatusBadRequest, Type: "BadRequestException", Message: "Choose an OpenAPI file to import"})
		return
	}
	defer f.Close()
	doc, err := io.ReadAll(io.LimitReader(f, maxImport+1))
	if err == nil && len(doc) > maxImport {
		err = errors.New("the file is larger than 6 MB")
	}
	if err != nil {
		c.fail(w, r, v, http.StatusBadRequest, &apiError{Status: http.StatusBadRequest, Type: "BadRequestException", Message: err.Error()})
		return
	}
	fail := r.FormValue("failOnWarnings") != ""
	var out struct {
		ID       string   `json:"id"`
		APIID    string   `json:"apiId"`
		Warnings []string `json:"warnings"`
	}
	if r.FormValue("type") == "HTTP" {
		q := ""
		if fail {
			q = "?failOnWarnings=true"
		}
		body, _ := json.Marshal(map[string]string{"body": string(doc)})
		var b []byte
		if b, _, err = v.client.call(r.Context(), "apigateway", http.MethodPut, "/v2/apis"+q, body, nil); err == nil {
			err = json.Unmarshal(b, &out)
		}
	} else {
		q := "?mode=import"
		if fail {
			q += "&failonwarnings=true"
		}
		var b []byte
		if b, _, err = v.client.call(r.Context(), "apigateway", http.MethodPost, "/restapis"+q, doc, nil); err == nil {
			err = json.Unmarshal(b, &out)
		}
	}
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	// The API page, with the import's warnings, answers the POST itself
	// (a redirect would have to carry them in its URL).
	notice := "Imported."
	if len(out.Warnings) > 0 {
		notice += " Warnings: " + strings.Join(out.Warnings, "; ")
	}
	c.showAPI(w, r, v, out.ID+out.APIID, notice)
}

// deleteAPI deletes an API (DeleteRestApi or apigatewayv2 DeleteApi).
func (c *Console) deleteAPI(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	apiID := r.PathValue("api")
	rest, _, err := lookupAPI(ctx, v.client, apiID)
	if err == nil {
		path := "/v2/apis/" + url.PathEscape(apiID)
		if rest != nil {
			path = "/restapis/" + url.PathEscape(apiID)
		}
		_, _, err = v.client.call(ctx, "apigateway", http.MethodDelete, path, nil, nil)
	}
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	http.Redirect(w, r, Prefix+"?deleted="+url.QueryEscape(apiID), http.StatusSeeOther)
}
