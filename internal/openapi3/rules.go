package openapi3

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// How protovalidate (buf.validate) rules become schema keywords. A rule with no JSON Schema keyword of its own (a
// prefix, a CEL expression, a timestamp bound) is not dropped: it is listed in the schema's description, so the
// document still tells the whole contract.

// formats maps protovalidate's well-known string rules to OpenAPI formats.
var formats = map[string]string{
	"email":    "email",
	"uuid":     "uuid",
	"hostname": "hostname",
	"ipv4":     "ipv4",
	"ipv6":     "ipv6",
	"uri":      "uri",
	"uri_ref":  "uri-reference",
}

// formatPatterns are patterns for well-known string rules that have no OpenAPI format.
var formatPatterns = map[string]string{
	"tuuid": "^[0-9a-fA-F]{32}$",
	"ulid":  "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$",
}

// applyString puts string rules on s.
func applyString(s *Schema, r *validate.StringRules, notes *[]string) {
	if r == nil {
		return
	}
	handled := map[string]bool{"example": true}
	if r.Len != nil {
		s.MinLength, s.MaxLength = ptr(r.GetLen()), ptr(r.GetLen())
		handled["len"] = true
	}
	if r.MinLen != nil {
		s.MinLength = ptr(r.GetMinLen())
		handled["min_len"] = true
	}
	if r.MaxLen != nil {
		s.MaxLength = ptr(r.GetMaxLen())
		handled["max_len"] = true
	}
	if r.Pattern != nil {
		s.Pattern = r.GetPattern()
		handled["pattern"] = true
	}
	if r.Const != nil {
		s.Enum = []any{r.GetConst()}
		handled["const"] = true
	}
	if len(r.GetIn()) > 0 {
		s.Enum = toAny(r.GetIn())
		handled["in"] = true
	}
	if len(r.GetNotIn()) > 0 {
		s.Not = &Schema{Enum: toAny(r.GetNotIn())}
		handled["not_in"] = true
	}
	// The well-known formats are a oneof of bools (and well_known_regex).
	if wk := r.ProtoReflect().WhichOneof(r.ProtoReflect().Descriptor().Oneofs().ByName("well_known")); wk != nil {
		name := string(wk.Name())
		if f, ok := formats[name]; ok && r.ProtoReflect().Get(wk).Bool() {
			s.Format = f
			handled[name] = true
		} else if p, ok := formatPatterns[name]; ok && s.Pattern == "" && r.ProtoReflect().Get(wk).Bool() {
			s.Pattern = p
			handled[name] = true
		}
	}
	*notes = append(*notes, unhandled(r, handled)...)
}

// applyEnum puts enum rules on s (a string schema): the names it may take.
func applyEnum(s *Schema, ed protoreflect.EnumDescriptor, r *validate.EnumRules, notes *[]string) {
	values := ed.Values()
	allowed := func(n protoreflect.EnumNumber) bool {
		if r.Const != nil && int32(n) != r.GetConst() {
			return false
		}
		if len(r.GetIn()) > 0 && !slices.Contains(r.GetIn(), int32(n)) {
			return false
		}
		return !slices.Contains(r.GetNotIn(), int32(n))
	}
	seen := map[protoreflect.EnumNumber]bool{}
	s.Enum = nil
	for i := range values.Len() {
		v := values.Get(i)
		if seen[v.Number()] { // an alias: protojson writes the first name
			continue
		}
		seen[v.Number()] = true
		if allowed(v.Number()) {
			s.Enum = append(s.Enum, string(v.Name()))
		}
	}
	*notes = append(*notes, unhandled(r, map[string]bool{"const": true, "in": true, "not_in": true, "defined_only": true, "example": true})...)
}

// applyNumber puts the bounds of a numeric rules message (Int32Rules, DoubleRules, …) on s. They are read by field
// name, so one function serves the twelve numeric types. int64 types are strings in JSON, where minimum and
// maximum do not apply: their bounds go to the notes.
func applyNumber(s *Schema, r proto.Message, asString bool, notes *[]string) {
	if r == nil {
		return
	}
	m := r.ProtoReflect()
	fields := m.Descriptor().Fields()
	get := func(name string) (protoreflect.Value, bool) {
		fd := fields.ByName(protoreflect.Name(name))
		if fd == nil || !m.Has(fd) {
			return protoreflect.Value{}, false
		}
		return m.Get(fd), true
	}
	handled := map[string]bool{"example": true}
	if asString {
		*notes = append(*notes, unhandled(r, handled)...)
		return
	}
	lo, loName := "", ""
	for _, name := range []string{"gt", "gte"} {
		if v, ok := get(name); ok {
			lo, loName = number(v), name
		}
	}
	hi, hiName := "", ""
	for _, name := range []string{"lt", "lte"} {
		if v, ok := get(name); ok {
			hi, hiName = number(v), name
		}
	}
	// protovalidate reads gt > lt as "outside the range": JSON Schema cannot say that with these keywords.
	exclusiveRange := lo != "" && hi != "" && toFloat(lo) > toFloat(hi)
	if lo != "" && !exclusiveRange {
		s.Minimum, s.ExclusiveMinimum = jsonNumber(lo), loName == "gt"
		handled[loName] = true
	}
	if hi != "" && !exclusiveRange {
		s.Maximum, s.ExclusiveMaximum = jsonNumber(hi), hiName == "lt"
		handled[hiName] = true
	}
	if v, ok := get("const"); ok {
		s.Enum = []any{json.Number(number(v))}
		handled["const"] = true
	}
	if v, ok := get("in"); ok && v.List().Len() > 0 {
		s.Enum = nil
		for i := range v.List().Len() {
			s.Enum = append(s.Enum, json.Number(number(v.List().Get(i))))
		}
		handled["in"] = true
	}
	if v, ok := get("not_in"); ok && v.List().Len() > 0 {
		not := &Schema{}
		for i := range v.List().Len() {
			not.Enum = append(not.Enum, json.Number(number(v.List().Get(i))))
		}
		s.Not = not
		handled["not_in"] = true
	}
	*notes = append(*notes, unhandled(r, handled)...)
}

// applyRepeated puts list rules on s (an array schema); the items' rules are applied by the caller.
func applyRepeated(s *Schema, r *validate.RepeatedRules, notes *[]string) {
	if r == nil {
		return
	}
	if r.MinItems != nil {
		s.MinItems = ptr(r.GetMinItems())
	}
	if r.MaxItems != nil {
		s.MaxItems = ptr(r.GetMaxItems())
	}
	s.UniqueItems = r.GetUnique()
	*notes = append(*notes, unhandled(r, map[string]bool{"min_items": true, "max_items": true, "unique": true, "items": true})...)
}

// applyMap puts map rules on s (an object schema); the values' rules are applied by the caller.
func applyMap(s *Schema, r *validate.MapRules, notes *[]string) {
	if r == nil {
		return
	}
	if r.MinPairs != nil {
		s.MinProperties = ptr(r.GetMinPairs())
	}
	if r.MaxPairs != nil {
		s.MaxProperties = ptr(r.GetMaxPairs())
	}
	handled := map[string]bool{"min_pairs": true, "max_pairs": true, "values": true}
	if k := r.GetKeys(); k != nil {
		handled["keys"] = true
		if b, err := (protojson.MarshalOptions{UseProtoNames: true}).Marshal(k); err == nil {
			*notes = append(*notes, "keys: "+compact(b))
		}
	}
	*notes = append(*notes, unhandled(r, handled)...)
}

// unhandled describes the rules set in r that are not in handled, as "name: value" in protojson (proto names).
func unhandled(r proto.Message, handled map[string]bool) []string {
	var out []string
	m := r.ProtoReflect()
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if handled[string(fd.Name())] {
			return true
		}
		if fd.Kind() == protoreflect.BoolKind && !fd.IsList() && !v.Bool() {
			return true
		}
		clone := r.ProtoReflect().New()
		clone.Set(fd, v)
		b, err := (protojson.MarshalOptions{UseProtoNames: true}).Marshal(clone.Interface())
		if err != nil {
			out = append(out, string(fd.Name()))
			return true
		}
		s := compact(b)
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}"))
		return true
	})
	sort.Strings(out)
	return out
}

// compact renders protojson output on one line.
func compact(b []byte) string {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	out, err := marshal(v)
	if err != nil {
		return string(b)
	}
	return string(out)
}

// number renders a numeric protoreflect value as a JSON number.
func number(v protoreflect.Value) string {
	switch x := v.Interface().(type) {
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float32:
		return formatFloat(float64(x), 32)
	case float64:
		return formatFloat(x, 64)
	}
	return fmt.Sprint(v.Interface())
}

func formatFloat(f float64, bits int) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return "0"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

func toFloat(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func jsonNumber(s string) *json.Number {
	n := json.Number(s)
	return &n
}

func ptr[T any](v T) *T { return &v }

func toAny[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
