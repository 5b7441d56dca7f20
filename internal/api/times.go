package api

import (
	"encoding/json"
	"reflect"
	"sync"
	"time"

	"yingshang/internal/calendar"
)

// inShanghai returns v with every time.Time it holds (in structs,
// pointers, slices, arrays, maps and interfaces) moved to Asia/Shanghai,
// so encoding/json writes "2026-03-02T17:00:00+08:00" whatever zone a
// database driver gave back: the API shows the platform's one time zone,
// as the pages do. The instants do not change and v itself is not
// modified (changed parts are copied). Strings are never touched: a signed
// record that carries its times as strings (the draw record) stays
// byte-for-byte the one that was hashed. Values of other types that
// marshal themselves (json.Marshaler) are left as they are.
func inShanghai(v any) any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || !mayHoldTime(rv.Type()) {
		return v
	}
	out, changed := shanghaiValue(rv, 0)
	if !changed {
		return v
	}
	return out.Interface()
}

var (
	marshaler  = reflect.TypeFor[json.Marshaler]()
	holdsTime  sync.Map // reflect.Type -> bool
	maxNesting = 64
)

// mayHoldTime reports whether a value of type t can hold a time.Time that
// encoding/json would write (interfaces may hold anything).
func mayHoldTime(t reflect.Type) bool {
	if b, ok := holdsTime.Load(t); ok {
		return b.(bool)
	}
	holdsTime.Store(t, false) // a recursive type answers false while it is being looked at
	b := typeHoldsTime(t)
	holdsTime.Store(t, b)
	return b
}

func typeHoldsTime(t reflect.Type) bool {
	if t == timeType {
		return true
	}
	if t.Kind() == reflect.Pointer {
		return mayHoldTime(t.Elem())
	}
	if t.Implements(marshaler) || reflect.PointerTo(t).Implements(marshaler) {
		return false
	}
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Slice, reflect.Array:
		return mayHoldTime(t.Elem())
	case reflect.Map:
		return mayHoldTime(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && mayHoldTime(f.Type) {
				return true
			}
		}
	}
	return false
}

// shanghaiValue returns v with its times in Shanghai and whether anything
// changed; an unchanged v is returned as it is.
func shanghaiValue(v reflect.Value, depth int) (reflect.Value, bool) {
	if depth > maxNesting || !v.IsValid() {
		return v, false
	}
	t := v.Type()
	if t == timeType {
		tm := v.Interface().(time.Time)
		if tm.IsZero() || tm.Location() == calendar.Shanghai {
			return v, false
		}
		return reflect.ValueOf(tm.In(calendar.Shanghai)), true
	}
	if !mayHoldTime(t) {
		return v, false
	}
	switch t.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		e, ok := shanghaiValue(v.Elem(), depth+1)
		if !ok {
			return v, false
		}
		out := reflect.New(t).Elem()
		out.Set(e)
		return out, true
	case reflect.Pointer:
		if v.IsNil() {
			return v, false
		}
		e, ok := shanghaiValue(v.Elem(), depth+1)
		if !ok {
			return v, false
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(e)
		return p, true
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && v.IsNil() {
			return v, false
		}
		var out reflect.Value
		for i := range v.Len() {
			e, ok := shanghaiValue(v.Index(i), depth+1)
			if !ok {
				continue
			}
			if !out.IsValid() {
				if t.Kind() == reflect.Slice {
					out = reflect.MakeSlice(t, v.Len(), v.Len())
				} else {
					out = reflect.New(t).Elem()
				}
				reflect.Copy(out, v)
			}
			out.Index(i).Set(e)
		}
		if !out.IsValid() {
			return v, false
		}
		return out, true
	case reflect.Map:
		if v.IsNil() {
			return v, false
		}
		var out reflect.Value
		iter := v.MapRange()
		for iter.Next() {
			e, ok := shanghaiValue(iter.Value(), depth+1)
			if !ok {
				continue
			}
			if !out.IsValid() {
				out = reflect.MakeMapWithSize(t, v.Len())
				all := v.MapRange()
				for all.Next() {
					out.SetMapIndex(all.Key(), all.Value())
				}
			}
			out.SetMapIndex(iter.Key(), e)
		}
		if !out.IsValid() {
			return v, false
		}
		return out, true
	case reflect.Struct:
		var out reflect.Value
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			e, ok := shanghaiValue(v.Field(i), depth+1)
			if !ok {
				continue
			}
			if !out.IsValid() {
				out = reflect.New(t).Elem()
				out.Set(v)
			}
			out.Field(i).Set(e)
		}
		if !out.IsValid() {
			return v, false
		}
		return out, true
	}
	return v, false
}
