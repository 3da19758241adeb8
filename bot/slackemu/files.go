package slackemu

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The v2 upload flow (what slack-go's UploadFileContext does):
// files.getUploadURLExternal -> POST bytes to upload_url ->
// files.completeUploadExternal, which shares the file into a channel.

func (s *Server) filesGetUploadURLExternal(r *request) (reply, *slackErr) {
	name := r.str("filename")
	length, err := strconv.Atoi(r.str("length"))
	switch {
	case name == "":
		return nil, errOf("invalid_arguments", "[ERROR] missing required field: filename")
	case err != nil || length <= 0:
		return nil, errOf("invalid_arguments", "[ERROR] missing required field: length")
	}
	id := s.newIDLocked("F")
	s.files[id] = &File{ID: id, Name: name, Length: length}
	s.fileOrder = append(s.fileOrder, id)
	return reply{"upload_url": s.base + "/upload/v1/" + id, "file_id": id}, nil
}

// handleUpload receives the file bytes, multipart ("file" field, as
// slack-go sends them) or raw, and answers like files.slack.com.
func (s *Server) handleUpload(w http.ResponseWriter, hr *http.Request) {
	id := hr.URL.Path[strings.LastIndex(hr.URL.Path, "/")+1:]
	body, _ := io.ReadAll(io.LimitReader(hr.Body, maxBody))
	data := body
	if ct, params, err := mime.ParseMediaType(hr.Header.Get("Content-Type")); err == nil && ct == "multipart/form-data" {
		data = multipartFile(body, params["boundary"])
	}
	status, resp := http.StatusNotFound, []byte("file not found")
	s.mu.Lock()
	if f := s.files[id]; f != nil && hr.Method == http.MethodPost {
		f.Content, f.Uploaded = data, true
		status, resp = http.StatusOK, []byte("OK - "+strconv.Itoa(len(data)))
	}
	s.mu.Unlock()
	s.recordCall(Call{Method: "file_upload", Params: map[string]string{"file_id": id}, Body: body,
		Token: strings.TrimPrefix(hr.Header.Get("Authorization"), "Bearer "), At: time.Now(), Status: status, Response: resp})
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(resp)
}

// multipartFile returns the first file part of a multipart body (nil if none).
func multipartFile(body []byte, boundary string) []byte {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := mr.NextPart()
		if err != nil {
			return nil
		}
		if p.FileName() != "" || p.FormName() == "file" {
			b, _ := io.ReadAll(p)
			return b
		}
	}
}

func (s *Server) filesCompleteUploadExternal(r *request) (reply, *slackErr) {
	var req []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	raw, _ := r.raw("files")
	if json.Unmarshal(raw, &req) != nil || len(req) == 0 {
		return nil, errOf("invalid_arguments", "[ERROR] missing required field: files")
	}
	for _, x := range req {
		if f := s.files[x.ID]; f == nil || !f.Uploaded || f.Completed {
			return nil, errOf("file_not_found")
		}
	}
	chID := r.str("channel_id")
	if chID == "" {
		chID, _, _ = strings.Cut(r.str("channels"), ",")
	}
	var ch *Channel
	if chID != "" {
		var e *slackErr
		if ch, e = s.writableChannelLocked(chID); e != nil {
			return nil, e
		}
	}
	var out []map[string]any
	var ids []string
	for _, x := range req {
		f := s.files[x.ID]
		f.Completed, f.Title, f.InitialComment = true, x.Title, r.str("initial_comment")
		if f.Title == "" {
			f.Title = f.Name
		}
		if ch != nil {
			f.Channel, f.ThreadTS = ch.ID, r.str("thread_ts")
		}
		ids = append(ids, f.ID)
		out = append(out, map[string]any{"id": f.ID, "title": f.Title})
	}
	if ch != nil { // sharing posts a message carrying the files
		m := &Message{Channel: ch.ID, ThreadTS: r.str("thread_ts"), User: s.opts.BotUserID,
			Text: r.str("initial_comment"), Files: ids}
		if raw, ok := r.raw("blocks"); ok && m.Text == "" {
			if c, e := messageContent("", raw, true, true); e == nil {
				m.Blocks = c.blocks
			}
		}
		s.addMessageLocked(m)
	}
	return reply{"files": out}, nil
}

func (s *Server) filesInfo(r *request) (reply, *slackErr) {
	f := s.files[r.str("file")]
	if f == nil || !f.Completed {
		return nil, errOf("file_not_found")
	}
	return reply{"file": s.fileJSONLocked(f), "comments": []any{}, "paging": map[string]any{"count": 1, "total": 1, "page": 1, "pages": 1}}, nil
}

func (s *Server) fileJSONLocked(f *File) map[string]any {
	out := map[string]any{
		"id": f.ID, "name": f.Name, "title": f.Title, "size": len(f.Content), "user": s.opts.BotUserID,
		"url_private": s.base + "/files/" + f.ID + "/" + f.Name, "channels": []string{},
	}
	if f.Channel != "" {
		out["channels"] = []string{f.Channel}
	}
	return out
}
