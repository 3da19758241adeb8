package portal

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
	"github.com/deskbot/deskbot/domain/textclean"
)

const (
	csrfCookie = "deskbot_csrf"
	tzCookie   = "deskbot_tz"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /t/{token}", s.limited(s.page))
	mux.HandleFunc("POST /t/{token}/reply", s.limited(s.posted(s.reply)))
	mux.HandleFunc("POST /t/{token}/solve", s.limited(s.posted(s.solve)))
	mux.HandleFunc("POST /t/{token}/rate", s.limited(s.posted(s.rate)))
	mux.HandleFunc("GET /t/{token}/files/{id}/{name}", s.limited(s.file))
	mux.Handle("GET /static/", s.static)
	for prefix, h := range s.mount {
		mux.Handle(prefix, h)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "There is nothing here. Use the link in a mail about your ticket.")
	})
	return s.accessLog(secure(mux))
}

// limited applies the per-link limit to every request with a token.
func (s *Server) limited(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := r.PathValue("token")
		max := s.limits.PerLink
		if r.Method == http.MethodPost {
			max = s.limits.Posts
			tok = "post:" + tok
		}
		if ok, wait := s.limits.allow("link:"+tok, max); !ok {
			s.tooMany(w, r, wait)
			return
		}
		h(w, r)
	}
}

func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	s.fail(w, r, http.StatusTooManyRequests, "Too many requests from this link. Wait a minute and try again.")
}

// posted checks a form's CSRF token and origin, and the address's limit.
func (s *Server) posted(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.sameOrigin(r) {
			s.fail(w, r, http.StatusForbidden, "This form was sent from another site and was refused.")
			return
		}
		// A multipart form (the reply, with files) is checked as it is
		// read, in reply; every other form here.
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "multipart/form-data" {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			c, err := r.Cookie(csrfCookie)
			if err != nil || r.ParseForm() != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get("csrf"))) != 1 {
				s.fail(w, r, http.StatusForbidden, "This form has expired. Reload the page and send it again.")
				return
			}
		}
		addr, err := s.svc.PortalAddress(r.Context(), r.PathValue("token"))
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		if ok, wait := s.limits.allow("addr:"+addr, s.limits.PerAddress); !ok {
			s.tooMany(w, r, wait)
			return
		}
		h(w, r)
	}
}

// sameOrigin refuses a form posted from another site, when the browser
// says so: by Sec-Fetch-Site, else by Origin. Under Referrer-Policy
// no-referrer a browser sends "Origin: null" even for the page's own
// forms, so null proves nothing either way; the CSRF token decides.
func (s *Server) sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin"
	}
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && strings.EqualFold(u.Host, s.host(r))
}

// ensureCSRF returns the visitor's CSRF cookie value, setting one first.
func (s *Server) ensureCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 20 && len(c.Value) <= 64 {
		return c.Value
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: v, Path: "/t/", HttpOnly: true, Secure: s.https(r), SameSite: http.SameSiteStrictMode})
	return v
}

func nonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// page renders the ticket.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "", r.URL.Query().Get("done"))
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, problem, done string) {
	tok := r.PathValue("token")
	v, err := s.svc.Portal(r.Context(), tok)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d := pageData{View: v, Token: tok, CSRF: s.ensureCSRF(w, r), Nonce: nonce(), Problem: problem,
		Loc: visitorZone(r, v.Location), Scale: scale(), MaxFiles: s.svc.Config().Email.FilesPerMailOrDefault()}
	_, d.TZFromBrowser = browserZone(r)
	d.Messages = rows(v, tok, d.Loc)
	switch done {
	case "reply":
		d.Notice = "Thank you, your answer was added to the ticket."
	case "solved":
		d.Notice = "Thank you, the ticket is marked solved. Answer here if anything is left."
	case "rated":
		d.Notice = "Thank you for your rating."
	}
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, "page.html", d); err != nil {
		s.log.Error("portal: render", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "Something went wrong on our side. Try again in a minute.")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) reply(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	cfg := s.svc.Config()
	limit := cfg.Email.AttachmentLimitOrDefault()
	perMail := cfg.Email.FilesPerMailOrDefault()
	// The whole upload is bounded before it is read: every file at the
	// limit, and the text.
	r.Body = http.MaxBytesReader(w, r.Body, limit*int64(perMail)+(1<<20))
	f, err := readReply(r, limit)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.render(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("The files are too large together; each may be up to %s.", size(limit)), "")
		return
	case err != nil:
		s.render(w, r, http.StatusBadRequest, domain.ErrorMessage(err), "")
		return
	}
	c, cerr := r.Cookie(csrfCookie)
	if cerr != nil || f.csrf == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(f.csrf)) != 1 {
		s.fail(w, r, http.StatusForbidden, "This form has expired. Reload the page and send it again.")
		return
	}
	if len(f.files) > perMail {
		s.render(w, r, http.StatusBadRequest, fmt.Sprintf("Attach at most %d files at once.", perMail), "")
		return
	}
	if _, err := s.svc.PortalReply(r.Context(), tok, f.nonce, f.body, f.files); err != nil {
		if code := domain.ErrorCode(err); code == domain.EINVALID {
			s.render(w, r, http.StatusBadRequest, domain.ErrorMessage(err), "")
			return
		}
		s.failErr(w, r, err)
		return
	}
	s.setZone(w, r, f.tz)
	http.Redirect(w, r, "/t/"+tok+"?done=reply#end", http.StatusSeeOther)
}

type replyForm struct {
	csrf, nonce, body, tz string
	files                 []commands.PortalFileIn
}

// readReply streams the multipart form, checking each file as it comes.
func readReply(r *http.Request, limit int64) (*replyForm, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		// A urlencoded reply (no files) is fine too.
		if perr := r.ParseForm(); perr != nil {
			return nil, perr
		}
		return &replyForm{csrf: r.PostForm.Get("csrf"), nonce: r.PostForm.Get("nonce"), body: r.PostForm.Get("body"), tz: r.PostForm.Get("tz")}, nil
	}
	f := &replyForm{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return nil, err
		}
		name := p.FormName()
		if p.FileName() == "" {
			v, err := io.ReadAll(io.LimitReader(p, 200<<10))
			if err != nil {
				return nil, err
			}
			switch name {
			case "csrf":
				f.csrf = string(v)
			case "nonce":
				f.nonce = string(v)
			case "body":
				f.body = string(v)
			case "tz":
				f.tz = string(v)
			}
			continue
		}
		if name != "files" {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(p, limit+1))
		if err != nil {
			return nil, err
		}
		fname := textclean.FileName(p.FileName())
		if len(data) == 0 && fname == "" {
			continue // the empty file input of a form without files
		}
		if int64(len(data)) > limit {
			return nil, domain.FieldErrorf("files", "%s is larger than %s, the limit for one file.", fname, size(limit))
		}
		ct, err := checkUpload(fname, p.Header.Get("Content-Type"), data)
		if err != nil {
			return nil, err
		}
		f.files = append(f.files, commands.PortalFileIn{Name: fname, ContentType: ct, Data: data})
	}
}

// refusedExt are files a browser would run or render as a page: never
// accepted, whatever they claim to be.
var refusedExt = map[string]bool{".html": true, ".htm": true, ".xhtml": true, ".shtml": true, ".svg": true, ".svgz": true,
	".xml": true, ".xsl": true, ".js": true, ".mjs": true, ".hta": true, ".mht": true, ".mhtml": true, ".php": true}

// checkUpload refuses markup and scripts by name, declared type and
// content, and returns the content type to keep.
func checkUpload(name, declared string, data []byte) (string, error) {
	ext := strings.ToLower(path.Ext(name))
	sniffed := http.DetectContentType(data)
	dt, _, _ := mime.ParseMediaType(declared)
	st, _, _ := mime.ParseMediaType(sniffed)
	if refusedExt[ext] || risky(dt) || risky(st) {
		return "", domain.FieldErrorf("files", "%s cannot be attached: web pages and scripts are refused. Send a PDF, an image or a text file.", name)
	}
	if dt == "" || dt == "application/octet-stream" {
		return st, nil
	}
	return dt, nil
}

func risky(ct string) bool {
	switch strings.ToLower(ct) {
	case "text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml",
		"text/javascript", "application/javascript", "application/x-javascript":
		return true
	}
	return false
}

func (s *Server) solve(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	if _, err := s.svc.PortalSolve(r.Context(), tok); err != nil {
		if domain.ErrorCode(err) == domain.EINVALID {
			s.render(w, r, http.StatusBadRequest, domain.ErrorMessage(err), "")
			return
		}
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, "/t/"+tok+"?done=solved", http.StatusSeeOther)
}

func (s *Server) rate(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	n, err := strconv.Atoi(r.PostForm.Get("rating"))
	if err != nil {
		s.render(w, r, http.StatusBadRequest, "Pick a rating.", "")
		return
	}
	if err := s.svc.PortalRate(r.Context(), tok, n); err != nil {
		if domain.ErrorCode(err) == domain.EINVALID {
			s.render(w, r, http.StatusBadRequest, domain.ErrorMessage(err), "")
			return
		}
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, "/t/"+tok+"?done=rated", http.StatusSeeOther)
}

// file sends an attachment for download, never to be shown in the page's
// origin: a file a customer sent could be a web page.
func (s *Server) file(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, http.StatusNotFound, "File not found.")
		return
	}
	a, err := s.svc.PortalAttachment(r.Context(), r.PathValue("token"), id)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	cd := mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename})
	if cd == "" {
		cd = "attachment" // a name no header can carry: the browser picks one
	}
	h.Set("Content-Disposition", cd)
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Length", strconv.Itoa(len(a.Data)))
	_, _ = w.Write(a.Data)
}

// failErr shows a use case's error in the customer's words.
func (s *Server) failErr(w http.ResponseWriter, r *http.Request, err error) {
	switch domain.ErrorCode(err) {
	case domain.ENOTFOUND:
		s.fail(w, r, http.StatusNotFound, domain.ErrorMessage(err))
	case domain.EFORBIDDEN:
		s.fail(w, r, http.StatusForbidden, domain.ErrorMessage(err))
	case domain.EINVALID, domain.ECONFLICT:
		s.fail(w, r, http.StatusBadRequest, domain.ErrorMessage(err))
	default:
		s.log.Error("portal: request failed", "path", redactPath(r.URL.Path), "err", err)
		s.fail(w, r, http.StatusInternalServerError, "Something went wrong on our side. Try again in a minute.")
	}
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, "error.html", struct{ Message string }{msg}); err != nil {
		http.Error(w, msg, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
