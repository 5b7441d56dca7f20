package entity

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/refdata"
	"yingshang/internal/yserr"
)

// searchFixture registers a small, known set of entities.
func searchFixture(t *testing.T, fx *fixture) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for i, e := range []struct {
		key, name, region, industry string
		size                        string
		status                      Status
		tags                        []string
		dept                        int64
	}{
		{"ruifeng", "许昌市魏都区瑞丰商贸有限公司", "411002", "5132", "small", StatusActive, []string{"专精特新"}, fx.deptA},
		{"ruifeng2", "禹州市瑞丰钧瓷有限公司", "411081", "2431", "medium", StatusActive, []string{"专精特新", "规上企业"}, 0},
		{"zhang", "魏都区张记餐馆", "411002", "6210", "micro", StatusOperating, nil, fx.deptA},
		{"zhengzhou", "郑州恒达ABC科技有限公司", "410105", "6513", "large", StatusRevoked, nil, fx.deptB},
		{"xian", "西安瑞丰100%物流有限公司", "610102", "5431", "small", StatusCancelled, []string{"外贸"}, 0},
		{"farm", "长葛市嘉禾种植专业合作社", "411082", "A", "", StatusActive, nil, 0},
	} {
		in := Input{USCC: uscc(t, fmt.Sprintf("91%s%08d0", e.region, i)), Name: e.name, RegionCode: e.region,
			IndustryCode: e.industry, SizeClass: sizeOf(e.size), Status: e.status, Tags: e.tags, DepartmentID: e.dept}
		got, err := fx.s.Create(fx.admin(), in)
		if err != nil {
			t.Fatalf("%s: %v", e.key, err)
		}
		ids[e.key] = got.ID
	}
	return ids
}

func sizeOf(s string) refdata.Size { return refdata.Size(s) }

func TestSearchFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		fx := newFixture(t, d)
		ids := searchFixture(t, fx)
		check := func(t *testing.T) {
			keys := func(f Filter) []string {
				t.Helper()
				list, total, err := fx.s.Search(supervisor(), f)
				if err != nil {
					t.Fatalf("%+v: %v", f, err)
				}
				if int(total) != len(list) && f.PerPage == 0 {
					t.Errorf("%+v: total %d for %d rows", f, total, len(list))
				}
				var out []string
				for _, e := range list {
					for k, id := range ids {
						if id == e.ID {
							out = append(out, k)
						}
					}
				}
				slices.Sort(out)
				return out
			}
			for _, tc := range []struct {
				f    Filter
				want []string
			}{
				{Filter{}, []string{"farm", "ruifeng", "ruifeng2", "xian", "zhang", "zhengzhou"}},
				{Filter{Q: "瑞丰"}, []string{"ruifeng", "ruifeng2", "xian"}},
				{Filter{Q: "瑞丰商贸"}, []string{"ruifeng"}},
				{Filter{Q: "丰钧瓷有限"}, []string{"ruifeng2"}},
				{Filter{Q: "张"}, []string{"zhang"}},
				{Filter{Q: "abc"}, []string{"zhengzhou"}},
				{Filter{Q: "ABC科技"}, []string{"zhengzhou"}},
				{Filter{Q: "100%"}, []string{"xian"}},
				{Filter{Q: "0%物"}, []string{"xian"}},
				{Filter{Q: "%"}, []string{"xian"}},
				{Filter{Q: "_"}, nil},
				{Filter{Q: "914110"}, []string{"farm", "ruifeng", "ruifeng2", "zhang"}},
				{Filter{Q: "91411002"}, []string{"ruifeng", "zhang"}},
				{Filter{Q: uscc(t, "91410105999999990")}, nil},
				{Filter{Q: uscc(t, "91410105000000030")}, []string{"zhengzhou"}},
				{Filter{Region: "411000"}, []string{"farm", "ruifeng", "ruifeng2", "zhang"}},
				{Filter{Region: "410000"}, []string{"farm", "ruifeng", "ruifeng2", "zhang", "zhengzhou"}},
				{Filter{Region: "411002"}, []string{"ruifeng", "zhang"}},
				{Filter{Region: "610000"}, []string{"xian"}},
				{Filter{Industry: "F"}, []string{"ruifeng"}},
				{Filter{Industry: "51"}, []string{"ruifeng"}},
				{Filter{Industry: "513"}, []string{"ruifeng"}},
				{Filter{Industry: "F5132"}, []string{"ruifeng"}},
				{Filter{Industry: "A"}, []string{"farm"}},
				{Filter{Industry: "C"}, []string{"ruifeng2"}},
				{Filter{Industry: "I"}, []string{"zhengzhou"}},
				{Filter{Industry: "H"}, []string{"zhang"}},
				{Filter{Size: "small"}, []string{"ruifeng", "xian"}},
				{Filter{Size: "大型"}, []string{"zhengzhou"}},
				{Filter{Status: StatusActive}, []string{"farm", "ruifeng", "ruifeng2"}},
				{Filter{Status: "注销"}, []string{"xian"}},
				{Filter{Tag: "专精特新"}, []string{"ruifeng", "ruifeng2"}},
				{Filter{Tag: "规上企业"}, []string{"ruifeng2"}},
				{Filter{Tag: "专精"}, nil},
				{Filter{DepartmentID: fx.deptA}, []string{"ruifeng", "zhang"}},
				{Filter{Q: "瑞丰", Region: "411000", Status: StatusActive, Tag: "专精特新"}, []string{"ruifeng", "ruifeng2"}},
			} {
				if got := keys(tc.f); !slices.Equal(got, tc.want) {
					t.Errorf("%+v: got %v, want %v", tc.f, got, tc.want)
				}
			}
		}
		t.Run("like", check)
		method, err := fx.s.EnsureSearchIndex(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if want := map[db.Dialect]string{db.SQLite: "fts5", db.Postgres: "pg_trgm"}[d.Dialect]; method != want {
			t.Errorf("search index %s, want %s", method, want)
		}
		t.Run("indexed", check)
		// The index follows renames made after it was built.
		if _, err := fx.s.Update(fx.admin(), ids["zhang"], Input{USCC: uscc(t, "91411002000000020"), Name: "魏都区李记面馆", Status: StatusOperating}); err != nil {
			t.Fatal(err)
		}
		if list, _, _ := fx.s.Search(fx.admin(), Filter{Q: "李记面馆"}); len(list) != 1 || list[0].ID != ids["zhang"] {
			t.Errorf("after rename: %+v", list)
		}
		if list, _, _ := fx.s.Search(fx.admin(), Filter{Q: "张记餐馆"}); len(list) != 0 {
			t.Errorf("old name still found: %+v", list)
		}
		if again, err := fx.s.EnsureSearchIndex(context.Background()); err != nil || again != method {
			t.Errorf("second EnsureSearchIndex: %s %v", again, err)
		}
	})
}

func TestSearchPagingAndErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		fx := newFixture(t, d)
		ids := searchFixture(t, fx)
		list, total, err := fx.s.Search(fx.admin(), Filter{PerPage: 4, Page: 2, Sort: "id"})
		if err != nil || total != 6 || len(list) != 2 || list[0].ID != ids["xian"] || list[1].ID != ids["farm"] {
			t.Errorf("page 2: %v %d %+v", err, total, list)
		}
		list, _, _ = fx.s.Search(fx.admin(), Filter{Sort: "-name", PerPage: 1})
		if len(list) != 1 || list[0].ID != ids["zhang"] { // 魏 (U+9B4F) sorts last in code point order
			t.Errorf("sort by name desc: %+v", list)
		}
		list, _, _ = fx.s.Search(fx.admin(), Filter{})
		if list[0].ID != ids["farm"] {
			t.Errorf("default order is newest first: %d", list[0].ID)
		}
		for _, f := range []Filter{{Region: "999999"}, {Industry: "Z"}, {Size: "huge"}, {Status: "x"}, {Sort: "password"}} {
			if _, _, err := fx.s.Search(fx.admin(), f); !yserr.Is(err, yserr.Invalid) {
				t.Errorf("%+v: %v", f, err)
			}
		}
	})
}
