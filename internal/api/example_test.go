package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"yingshang/internal/api"
	"yingshang/internal/yserr"
)

type Entity struct {
	ID   int64  `json:"id"`
	Name string `json:"name" doc:"名称 / Name"`
	Size string `json:"size" enum:"micro,small,medium,large"`
}

type EntityQuery struct {
	Q    string `query:"q" doc:"名称关键字 / Name keyword"`
	Size string `query:"size" enum:"micro,small,medium,large"`
}

func Example() {
	reg := api.NewRegistry("Yingshang API", "1.0.0")
	mux := http.NewServeMux()

	reg.Handle(mux, api.Op{
		Method: "GET", Path: "/api/v1/entities/{id}", ID: "getEntity",
		Summary: "经营主体详情 / Get a market entity", Tags: []string{"entities"},
		Auth: api.AuthPublic, Resp: Entity{},
	}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := api.PathInt64(r, "id")
		if err != nil {
			return err
		}
		if id != 1 {
			return yserr.ErrNotFound("经营主体", "market entity")
		}
		api.WriteJSON(w, http.StatusOK, Entity{ID: 1, Name: "许昌市某公司", Size: "small"})
		return nil
	})
	reg.Handle(mux, api.Op{
		Method: "GET", Path: "/api/v1/entities", ID: "listEntities", Auth: api.AuthPublic,
		Query: EntityQuery{}, Resp: api.Page[Entity]{},
	}, func(w http.ResponseWriter, r *http.Request) error {
		var q EntityQuery
		if err := api.DecodeQuery(r, &q); err != nil {
			return err
		}
		page, perPage, err := api.Paging(r)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, api.NewPage([]Entity{}, 0, page, perPage))
		return nil
	})
	mux.HandleFunc("GET /api/openapi.json", reg.ServeDocument)

	for _, target := range []string{"/api/v1/entities/1", "/api/v1/entities/2?lang=en", "/api/v1/entities?size=huge"} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		fmt.Println(w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/api/openapi.json", nil))
	var doc map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &doc)
	fmt.Println(doc["openapi"], api.ValidateDocument(w.Body.Bytes()))
	// Output:
	// 200 application/json {"id":1,"name":"许昌市某公司","size":"small"}
	// 404 application/problem+json {"type":"/problems/not_found","title":"Not found","status":404,"detail":"market entity not found","instance":"/api/v1/entities/2","code":"not_found"}
	// 400 application/problem+json {"type":"/problems/invalid","title":"请求参数有误","status":400,"detail":"取值必须是 micro、small、medium、large 之一","instance":"/api/v1/entities","code":"invalid","field":"size","errors":[{"field":"size","message_zh":"取值必须是 micro、small、medium、large 之一","message_en":"must be one of micro, small, medium, large"}]}
	// 3.1.0 <nil>
}
