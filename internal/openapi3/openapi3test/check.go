// Package openapi3test checks the OpenAPI 3 document of the REST gateway: valid under an OpenAPI validator
// (kin-openapi), every google.api.http binding of the contracts present with its path, query and body parameters,
// and the protovalidate rules carried as schema keywords. The generator's test checks the embedded document with
// it, and the end-to-end suite the document a running server serves.
package openapi3test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	kin "github.com/getkin/kin-openapi/openapi3"
	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	_ "github.com/streamingplatform/streaming/gen/streaming/v1" // registers the contracts' descriptors
)

// Protobuf JSON writes 64-bit integers as strings, with the number's format (as protoc-gen-openapiv2 does too);
// OpenAPI formats are open, but kin-openapi knows int64 only on numbers.
func init() {
	kin.DefineStringFormatValidator("int64", kin.NewRegexpFormatValidator(`^-?[0-9]+$`))
	kin.DefineStringFormatValidator("uint64", kin.NewRegexpFormatValidator(`^[0-9]+$`))
	// Formats kin-openapi checks in values only when told how.
	kin.DefineStringFormatValidator("email", kin.NewRegexpFormatValidator(kin.FormatOfStringForEmail))
	kin.DefineStringFormatValidator("uuid", kin.NewRegexpFormatValidator(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`))
}

// Load parses and validates the document (every format known, every pattern compiles).
func Load(t testing.TB, data []byte) *kin.T {
	t.Helper()
	doc, err := kin.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatalf("loading the OpenAPI document: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q, want 3.x", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background(), kin.EnableSchemaFormatValidation(), kin.EnableSchemaPatternValidation()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	return doc
}

// Check loads the document and checks its routes and rules.
func Check(t *testing.T, data []byte) {
	doc := Load(t, data)
	t.Run("routes", func(t *testing.T) { checkRoutes(t, doc) })
	t.Run("rules", func(t *testing.T) { checkRules(t, doc) })
}

var variable = regexp.MustCompile(`\{([^}=]+)(=[^}]*)?\}`)

// checkRoutes: every google.api.http binding of package streaming.v1 is an operation, at the same URLs, with a
// path parameter per variable, a body when the binding has one, and a query parameter per other scalar field of
// the request when it has none.
func checkRoutes(t *testing.T, doc *kin.T) {
	byShape := map[string]string{} // /v1/contents/{} -> the document's path
	for _, p := range doc.Paths.Keys() {
		byShape[variable.ReplaceAllString(p, "{}")] = p
	}
	n := 0
	protoregistry.GlobalFiles.RangeFilesByPackage("streaming.v1", func(f protoreflect.FileDescriptor) bool {
		for i := range f.Services().Len() {
			svc := f.Services().Get(i)
			for j := range svc.Methods().Len() {
				m := svc.Methods().Get(j)
				rule, _ := proto.GetExtension(m.Options(), annotations.E_Http).(*annotations.HttpRule)
				if rule == nil {
					continue
				}
				for k, b := range append([]*annotations.HttpRule{rule}, rule.GetAdditionalBindings()...) {
					n++
					id := fmt.Sprintf("%s_%s", svc.Name(), m.Name())
					if k > 0 {
						id += fmt.Sprint(k)
					}
					checkRoute(t, doc, byShape, m, b, id)
				}
			}
		}
		return true
	})
	if n < 20 {
		t.Errorf("found %d google.api.http bindings in streaming.v1, want the contracts' (are they registered?)", n)
	}
	ops := 0
	for _, p := range doc.Paths.Keys() {
		ops += len(doc.Paths.Value(p).Operations())
	}
	if ops != n {
		t.Errorf("the document has %d operations, the contracts %d bindings", ops, n)
	}
}

func checkRoute(t *testing.T, doc *kin.T, byShape map[string]string, m protoreflect.MethodDescriptor, b *annotations.HttpRule, id string) {
	t.Helper()
	var verb, template string
	switch p := b.GetPattern().(type) {
	case *annotations.HttpRule_Get:
		verb, template = "GET", p.Get
	case *annotations.HttpRule_Put:
		verb, template = "PUT", p.Put
	case *annotations.HttpRule_Post:
		verb, template = "POST", p.Post
	case *annotations.HttpRule_Delete:
		verb, template = "DELETE", p.Delete
	case *annotations.HttpRule_Patch:
		verb, template = "PATCH", p.Patch
	}
	path, ok := byShape[variable.ReplaceAllString(template, "{}")]
	if !ok {
		t.Errorf("%s %s (%s): no such path in the document", verb, template, id)
		return
	}
	op := doc.Paths.Value(path).GetOperation(verb)
	if op == nil {
		t.Errorf("%s %s (%s): no %s operation at %s", verb, template, id, verb, path)
		return
	}
	if op.OperationID != id {
		t.Errorf("%s %s: operationId %q, want %q", verb, path, op.OperationID, id)
	}
	in := m.Input()
	inPath := map[string]bool{}
	for i, v := range variable.FindAllStringSubmatch(template, -1) {
		inPath[v[1]] = true
		name := variable.FindAllStringSubmatch(path, -1)[i][1]
		p := op.Parameters.GetByInAndName("path", name)
		if p == nil || !p.Required {
			t.Errorf("%s %s: no required path parameter %s (field %s)", verb, path, name, v[1])
		}
	}
	if got := len(paramsIn(op, "path")); got != len(inPath) {
		t.Errorf("%s %s: %d path parameters, want %d", verb, path, got, len(inPath))
	}
	switch body := b.GetBody(); body {
	case "":
		if op.RequestBody != nil {
			t.Errorf("%s %s: a request body, the binding has none", verb, path)
		}
		// Every scalar field of the request not in the path is a query parameter.
		var want []string
		for i := range in.Fields().Len() {
			fd := in.Fields().Get(i)
			if !inPath[string(fd.Name())] && fd.Message() == nil && !fd.IsMap() {
				want = append(want, fd.JSONName())
			}
		}
		got := paramsIn(op, "query")
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s %s: no query parameter %s", verb, path, w)
			}
		}
	case "*":
		s := bodySchema(t, op, verb, path)
		if s == nil {
			return
		}
		for i := range in.Fields().Len() {
			fd := in.Fields().Get(i)
			_, has := s.Properties[fd.JSONName()]
			if inPath[string(fd.Name())] == has {
				t.Errorf("%s %s: body property %s present %v, want %v (bound by the path: %v)", verb, path, fd.JSONName(), has, !has, inPath[string(fd.Name())])
			}
		}
		if len(paramsIn(op, "query")) > 0 {
			t.Errorf("%s %s: query parameters with body \"*\"", verb, path)
		}
	default:
		if s := bodySchema(t, op, verb, path); s != nil {
			fd := in.Fields().ByName(protoreflect.Name(body))
			if fd == nil || fd.Message() == nil {
				return
			}
			for i := range fd.Message().Fields().Len() {
				sub := fd.Message().Fields().Get(i)
				_, has := s.Properties[sub.JSONName()]
				if inPath[body+"."+string(sub.Name())] == has {
					t.Errorf("%s %s: body property %s present %v, want %v", verb, path, sub.JSONName(), has, !has)
				}
			}
		}
	}
	if r := op.Responses.Value("200"); r == nil || r.Value.Content.Get("application/json") == nil {
		t.Errorf("%s %s: no JSON 200 response", verb, path)
	}
	if r := op.Responses.Default(); r == nil || !strings.HasSuffix(r.Value.Content.Get("application/json").Schema.Ref, "/google.rpc.Status") {
		t.Errorf("%s %s: the default response is not a google.rpc.Status", verb, path)
	}
}

func paramsIn(op *kin.Operation, in string) []string {
	var out []string
	for _, p := range op.Parameters {
		if p.Value.In == in {
			out = append(out, p.Value.Name)
		}
	}
	return out
}

func bodySchema(t *testing.T, op *kin.Operation, verb, path string) *kin.Schema {
	t.Helper()
	if op.RequestBody == nil || !op.RequestBody.Value.Required {
		t.Errorf("%s %s: no required request body", verb, path)
		return nil
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		t.Errorf("%s %s: no JSON body schema", verb, path)
		return nil
	}
	return mt.Schema.Value
}

// checkRules: a few rules of the contracts, as schema keywords.
func checkRules(t *testing.T, doc *kin.T) {
	schema := func(name string) *kin.Schema {
		t.Helper()
		s := doc.Components.Schemas[name]
		if s == nil || s.Value == nil {
			t.Fatalf("no schema %s", name)
		}
		return s.Value
	}
	prop := func(s *kin.Schema, name string) *kin.Schema {
		t.Helper()
		p := s.Properties[name]
		if p == nil || p.Value == nil {
			t.Fatalf("no property %s", name)
		}
		return p.Value
	}
	eq := func(what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	num := func(f *float64) any {
		if f == nil {
			return nil
		}
		return *f
	}
	u64 := func(u *uint64) any {
		if u == nil {
			return nil
		}
		return *u
	}

	reg := schema("RegisterUserRequest")
	eq("RegisterUserRequest.email format", prop(reg, "email").Format, "email")
	eq("RegisterUserRequest.email maxLength", u64(prop(reg, "email").MaxLength), 254)
	eq("RegisterUserRequest.password minLength", prop(reg, "password").MinLength, 10)
	eq("RegisterUserRequest.country pattern", prop(reg, "country").Pattern, "^[A-Z]{2}$")
	eq("RegisterUserRequest required", reg.Required, []string{"email", "password", "displayName", "country"})

	sub := schema("CreateSubscriptionBody")
	eq("CreateSubscriptionBody.planId format", prop(sub, "planId").Format, "uuid")
	eq("CreateSubscriptionBody.paymentMethod enum", prop(sub, "paymentMethod").Enum,
		[]any{"PAYMENT_METHOD_CARD", "PAYMENT_METHOD_PAYPAL", "PAYMENT_METHOD_BANK_TRANSFER"})
	eq("CreateSubscriptionBody.idempotencyKey pattern", prop(sub, "idempotencyKey").Pattern, "^[A-Za-z0-9_.:-]*$")
	eq("CreateSubscriptionBody required", sub.Required, []string{"planId", "paymentMethod", "paymentToken"})

	rate := schema("RateContentBody")
	eq("RateContentBody.stars minimum", num(prop(rate, "stars").Min), 1)
	eq("RateContentBody.stars maximum", num(prop(rate, "stars").Max), 5)

	content := schema("Content")
	genres := prop(content, "genres")
	eq("Content.genres minItems/maxItems/uniqueItems", []any{genres.MinItems, u64(genres.MaxItems), genres.UniqueItems}, []any{1, 10, true})
	eq("Content.genres items pattern", genres.Items.Value.Pattern, "^[a-z][a-z0-9-]{0,39}$")
	eq("Content.releaseYear bounds", []any{num(prop(content, "releaseYear").Min), num(prop(content, "releaseYear").Max)}, []any{1880, 2100})
	eq("Content.id format", prop(content, "id").Format, "uuid")

	ev := schema("PlaybackEvent")
	eq("PlaybackEvent.occurTime format", prop(ev, "occurTime").Format, "date-time")
	if !slices.Contains(ev.Required, "occurTime") {
		t.Errorf("PlaybackEvent required %v lacks occurTime (required: true)", ev.Required)
	}
	eq("VideoQuality enum", schema("VideoQuality").Enum,
		[]any{"VIDEO_QUALITY_UNSPECIFIED", "VIDEO_QUALITY_SD", "VIDEO_QUALITY_HD", "VIDEO_QUALITY_FULL_HD", "VIDEO_QUALITY_UHD"})

	// The route whose Swagger 2.0 definition is broken: one path with GetContent, the same URLs.
	item := doc.Paths.Value("/v1/contents/{contentId}")
	if item == nil || item.Put == nil || item.Get == nil {
		t.Fatalf("/v1/contents/{contentId}: want GET and PUT")
	}
	p := item.Put.Parameters.GetByInAndName("path", "contentId")
	eq("PUT /v1/contents/{contentId} contentId format", p.Schema.Value.Format, "uuid")
	body := item.Put.RequestBody.Value.Content.Get("application/json").Schema.Value
	if _, ok := body.Properties["id"]; ok || slices.Contains(body.Required, "id") {
		t.Errorf("PUT /v1/contents/{contentId}: the body has the id the path binds")
	}
	eq("PUT /v1/contents/{contentId} body required", body.Required, []string{"title", "type", "genres", "releaseYear"})

	rev := doc.Paths.Value("/v1/reports/revenue").Get.Parameters.GetByInAndName("query", "fromMonth")
	if rev == nil || !rev.Required || rev.Schema.Value.Pattern == "" {
		t.Errorf("GET /v1/reports/revenue: fromMonth is not a required query parameter with a pattern: %+v", rev)
	}
	limit := doc.Paths.Value("/v1/users/{userId}/recommendations").Get.Parameters.GetByInAndName("query", "limit")
	eq("GetRecommendations limit bounds", []any{num(limit.Schema.Value.Min), num(limit.Schema.Value.Max)}, []any{0, 50})

	// The error body and the field violations in it.
	status := schema("google.rpc.Status")
	eq("google.rpc.Status.code type", prop(status, "code").Type.Slice(), []string{"integer"})
	fv := schema("google.rpc.BadRequest").Properties["fieldViolations"].Value.Items
	if !strings.HasSuffix(fv.Ref, "google.rpc.BadRequest.FieldViolation") {
		t.Errorf("google.rpc.BadRequest.fieldViolations items %q", fv.Ref)
	}

	// The schemas reject what the server rejects.
	valid := map[string]any{"email": "ana@example.com", "password": "correct horse", "displayName": "Ana", "country": "ES"}
	if err := doc.ValidateSchemaJSON(reg, valid, kin.EnableFormatValidation()); err != nil {
		t.Errorf("a valid RegisterUserRequest is rejected: %v", err)
	}
	for field, bad := range map[string]any{"email": "not-an-email", "password": "short", "country": "es", "displayName": ""} {
		v := map[string]any{}
		for k, x := range valid {
			v[k] = x
		}
		v[field] = bad
		if err := doc.ValidateSchemaJSON(reg, v, kin.EnableFormatValidation()); err == nil {
			t.Errorf("RegisterUserRequest with %s %q is accepted", field, bad)
		}
	}
	delete(valid, "country")
	if err := doc.ValidateSchemaJSON(reg, valid, kin.EnableFormatValidation()); err == nil {
		t.Errorf("RegisterUserRequest without country is accepted")
	}
	ok := map[string]any{"planId": "0b5f7f7e-7a47-4a0e-9d0a-8f1c6c1e2b3a", "paymentMethod": "PAYMENT_METHOD_CARD", "paymentToken": "tok_visa"}
	if err := doc.ValidateSchemaJSON(sub, ok, kin.EnableFormatValidation()); err != nil {
		t.Errorf("a valid CreateSubscriptionBody is rejected: %v", err)
	}
	for field, bad := range map[string]any{"planId": "not-a-uuid", "paymentMethod": "PAYMENT_METHOD_UNSPECIFIED"} {
		v := map[string]any{}
		for k, x := range ok {
			v[k] = x
		}
		v[field] = bad
		if err := doc.ValidateSchemaJSON(sub, v, kin.EnableFormatValidation()); err == nil {
			t.Errorf("CreateSubscriptionBody with %s %q is accepted", field, bad)
		}
	}
}
