// Package openapi3 writes an OpenAPI 3.0.3 document of the REST gateway from the contracts: one operation per
// google.api.http binding (grpc-gateway's routes, with its path, query and body parameters), one schema per message
// and enum, and the protovalidate (buf.validate) rules of every field as schema keywords: formats (uuid, email, …),
// patterns, length and numeric bounds, item counts, enums, and the required fields.
//
// A field is required when protovalidate itself rejects the empty message on that field: a `required` rule, or an
// implicit-presence field whose zero value breaks its rules (a uuid, a min_len of 1, an enum not_in [0], gte 1 …).
// So "required" is exactly what the server enforces, computed by the same library the server validates with.
//
// It runs as a protoc plugin under buf (internal/openapi3/cmd/protoc-gen-openapi3); see buf.gen.yaml.
package openapi3

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"buf.build/go/protovalidate"
	"google.golang.org/genproto/googleapis/api/annotations"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"
)

// Options are the plugin's parameters.
type Options struct {
	// File is the output file's name without extension: <File>.openapi.json (the plugin's parameter).
	File string
	// Title and Version go to the info object.
	Title, Version string
	// ErrorDetails are full names of messages (registered in this binary) that the server puts in an error's
	// google.rpc.Status details; each gets a schema, so clients can read them by type.
	ErrorDetails []string
}

// Generate builds the document.
func Generate(plugin *protogen.Plugin, opts Options) (*Document, error) {
	v, err := protovalidate.New()
	if err != nil {
		return nil, err
	}
	g := &generator{
		validator: v,
		comments:  map[protoreflect.FullName]string{},
		names:     map[protoreflect.FullName]string{},
		schemas:   map[string]*Schema{},
		required:  map[protoreflect.FullName][]protoreflect.FieldNumber{},
		paths:     map[string]*PathItem{},
	}
	packages := map[protoreflect.FullName]bool{}
	for _, f := range plugin.Files {
		g.collectComments(f)
		if f.Generate {
			packages[f.Desc.Package()] = true
		}
	}
	g.short = len(packages) == 1
	for p := range packages {
		g.pkg = p
	}

	doc := &Document{
		OpenAPI: "3.0.3",
		Info: Info{
			Title:   cmp.Or(opts.Title, "REST gateway"),
			Version: cmp.Or(opts.Version, "v1"),
			Description: "The REST gateway (grpc-gateway) of the gRPC services, generated from the contracts with their " +
				"protovalidate rules. Bodies are protobuf JSON: lowerCamelCase field names, enums as their names, " +
				"64-bit integers as strings, timestamps in RFC 3339; responses carry every field (unset messages as " +
				"null). Unknown fields in a request are ignored. An error is a google.rpc.Status with the HTTP status " +
				"of its code; a request that breaks the rules below is 400 with a google.rpc.BadRequest detail naming " +
				"each field at fault (by its proto name).",
		},
		Security: []map[string][]string{{"bearer": {}}, {}},
		Paths:    g.paths,
		Components: Components{
			Schemas: g.schemas,
			SecuritySchemes: map[string]*SecurityScheme{"bearer": {Type: "http", Scheme: "bearer",
				Description: "A session token from Login, or the operator's admin or service credential. Some RPCs are open to anonymous callers."}},
		},
	}

	var routes []*route
	for _, f := range plugin.Files {
		if !f.Generate {
			continue
		}
		for _, svc := range f.Services {
			doc.Tags = append(doc.Tags, Tag{Name: string(svc.Desc.Name()), Description: clean(svc.Comments.Leading)})
			for _, m := range svc.Methods {
				rule, ok := proto.GetExtension(m.Desc.Options(), annotations.E_Http).(*annotations.HttpRule)
				if !ok || rule == nil {
					continue
				}
				bindings := append([]*annotations.HttpRule{rule}, rule.GetAdditionalBindings()...)
				for i, b := range bindings {
					r, err := newRoute(svc, m, b, i)
					if err != nil {
						return nil, fmt.Errorf("%s: %w", m.Desc.FullName(), err)
					}
					routes = append(routes, r)
				}
			}
		}
	}
	unifyVariables(routes)
	for _, r := range routes {
		if err := g.addRoute(r); err != nil {
			return nil, fmt.Errorf("%s: %w", r.method.Desc.FullName(), err)
		}
	}

	// The error body of every operation, and the detail messages it may carry.
	status := g.message(statusDescriptor())
	status.Description = "The status of a call that failed: its gRPC code (google.rpc.Code), a message, and details."
	if len(opts.ErrorDetails) > 0 {
		status.Description += " A detail is one of the messages " + strings.Join(opts.ErrorDetails, ", ") +
			" (their schemas are below), its type in @type (type.googleapis.com/<full name>)."
	}
	for _, name := range opts.ErrorDetails {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			return nil, fmt.Errorf("error detail %s: %w", name, err)
		}
		md, ok := d.(protoreflect.MessageDescriptor)
		if !ok {
			return nil, fmt.Errorf("error detail %s is not a message", name)
		}
		g.ref(md)
	}
	return doc, nil
}

type generator struct {
	validator protovalidate.Validator
	comments  map[protoreflect.FullName]string
	pkg       protoreflect.FullName // the package of the generated files, when there is one
	short     bool                  // names of the package's messages without the package
	names     map[protoreflect.FullName]string
	schemas   map[string]*Schema
	required  map[protoreflect.FullName][]protoreflect.FieldNumber
	paths     map[string]*PathItem
}

func (g *generator) collectComments(f *protogen.File) {
	var msg func(m *protogen.Message)
	enum := func(e *protogen.Enum) {
		g.comments[e.Desc.FullName()] = clean(e.Comments.Leading)
		for _, v := range e.Values {
			g.comments[v.Desc.FullName()] = clean(cmp.Or(v.Comments.Leading, v.Comments.Trailing))
		}
	}
	msg = func(m *protogen.Message) {
		g.comments[m.Desc.FullName()] = clean(m.Comments.Leading)
		for _, fd := range m.Fields {
			g.comments[fd.Desc.FullName()] = clean(cmp.Or(fd.Comments.Leading, fd.Comments.Trailing))
		}
		for _, e := range m.Enums {
			enum(e)
		}
		for _, n := range m.Messages {
			msg(n)
		}
	}
	for _, m := range f.Messages {
		msg(m)
	}
	for _, e := range f.Enums {
		enum(e)
	}
}

// clean turns a .proto comment into a description.
func clean(c protogen.Comments) string {
	lines := strings.Split(strings.TrimRight(string(c), "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, " ")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// route is one google.api.http binding.
type route struct {
	service  *protogen.Service
	method   *protogen.Method
	binding  int
	verb     string   // GET, POST …
	template string   // the path with variables named by their field paths: /v1/users/{user_id}
	vars     []string // field paths of the variables in order (proto names): user_id, content.id
	names    []string // the variables' names in the document, in order
	body     string
	response string
}

var variable = regexp.MustCompile(`\{([^}=]+)(=[^}]*)?\}`)

func newRoute(svc *protogen.Service, m *protogen.Method, b *annotations.HttpRule, binding int) (*route, error) {
	r := &route{service: svc, method: m, binding: binding, body: b.GetBody(), response: b.GetResponseBody()}
	switch p := b.GetPattern().(type) {
	case *annotations.HttpRule_Get:
		r.verb, r.template = "GET", p.Get
	case *annotations.HttpRule_Put:
		r.verb, r.template = "PUT", p.Put
	case *annotations.HttpRule_Post:
		r.verb, r.template = "POST", p.Post
	case *annotations.HttpRule_Delete:
		r.verb, r.template = "DELETE", p.Delete
	case *annotations.HttpRule_Patch:
		r.verb, r.template = "PATCH", p.Patch
	default:
		return nil, errors.New("custom HTTP methods are not supported")
	}
	for _, v := range variable.FindAllStringSubmatch(r.template, -1) {
		fields, err := fieldPath(m.Input.Desc, v[1])
		if err != nil {
			return nil, err
		}
		r.vars = append(r.vars, v[1])
		var json []string
		for _, fd := range fields {
			json = append(json, fd.JSONName())
		}
		r.names = append(r.names, strings.Join(json, "."))
	}
	return r, nil
}

// fieldPath resolves "content.id" in md.
func fieldPath(md protoreflect.MessageDescriptor, path string) ([]protoreflect.FieldDescriptor, error) {
	var out []protoreflect.FieldDescriptor
	for i, name := range strings.Split(path, ".") {
		if md == nil {
			return nil, fmt.Errorf("field path %q: %s is not a message", path, out[i-1].Name())
		}
		fd := md.Fields().ByName(protoreflect.Name(name))
		if fd == nil {
			return nil, fmt.Errorf("field path %q: no field %s in %s", path, name, md.FullName())
		}
		out = append(out, fd)
		md = fd.Message()
	}
	return out, nil
}

// shape is a template with its variables left unnamed: two templates of the same shape are one path in OpenAPI.
func (r *route) shape() string { return variable.ReplaceAllString(r.template, "{}") }

// unifyVariables names each variable of a path shape the same in every route of that shape. OpenAPI holds that
// /v1/contents/{contentId} and /v1/contents/{content.id} are one path (the same URLs), and a document with both is
// invalid; the gateway serves both routes on the same URLs, so one name serves both: the simplest one of the routes
// (fewest dots, then the shortest, then the first in order), e.g. contentId.
func unifyVariables(routes []*route) {
	byShape := map[string][]*route{}
	for _, r := range routes {
		byShape[r.shape()] = append(byShape[r.shape()], r)
	}
	for _, rs := range byShape {
		for i := range rs[0].names {
			best := rs[0].names[i]
			for _, r := range rs[1:] {
				n := r.names[i]
				if c := cmp.Or(cmp.Compare(strings.Count(n, "."), strings.Count(best, ".")), cmp.Compare(len(n), len(best)), strings.Compare(n, best)); c < 0 {
					best = n
				}
			}
			for _, r := range rs {
				r.names[i] = best
			}
		}
	}
}

// path is the route's path in the document: the template with the variables' document names.
func (r *route) path() string {
	i := 0
	return variable.ReplaceAllStringFunc(r.template, func(string) string {
		n := r.names[i]
		i++
		return "{" + n + "}"
	})
}

func (g *generator) addRoute(r *route) error {
	m := r.method
	in := m.Input.Desc
	id := string(r.service.Desc.Name()) + "_" + string(m.Desc.Name())
	if r.binding > 0 {
		id += fmt.Sprint(r.binding)
	}
	comment := clean(m.Comments.Leading)
	op := &Operation{OperationID: id, Tags: []string{string(r.service.Desc.Name())}, Summary: summary(comment)}
	if op.Summary != comment {
		op.Description = comment
	}

	// Path parameters.
	inPath := map[string]bool{} // field paths bound by the path
	for i, v := range r.vars {
		fields, _ := fieldPath(in, v)
		fd := fields[len(fields)-1]
		inPath[v] = true
		s := g.value(fd, rulesOf(fd))
		desc := g.comments[fd.FullName()]
		if r.names[i] != fields[0].JSONName() && len(fields) > 1 {
			desc = strings.TrimSpace(fmt.Sprintf("The request's `%s`. %s", strings.Join(jsonNames(fields), "."), desc))
		}
		op.Parameters = append(op.Parameters, &Parameter{Name: r.names[i], In: "path", Required: true, Description: desc, Schema: s})
	}

	// The body.
	switch r.body {
	case "":
	case "*":
		var drop []string
		for v := range inPath {
			if !strings.Contains(v, ".") {
				drop = append(drop, v)
			}
		}
		op.RequestBody = g.body(in, drop, string(m.Desc.Name())+"Body")
	default:
		fields, err := fieldPath(in, r.body)
		if err != nil {
			return err
		}
		fd := fields[len(fields)-1]
		var drop []string
		for v := range inPath {
			if rest, ok := strings.CutPrefix(v, r.body+"."); ok && !strings.Contains(rest, ".") {
				drop = append(drop, rest)
			}
		}
		if fd.Message() != nil && !fd.IsList() && !fd.IsMap() && wellKnown(fd.Message()) == nil {
			op.RequestBody = g.body(fd.Message(), drop, string(m.Desc.Name())+"Body")
		} else {
			op.RequestBody = &RequestBody{Required: true, Content: jsonContent(g.field(fd, false))}
		}
		op.RequestBody.Description = g.comments[fd.FullName()]
	}

	// Query parameters: every field not bound by the path or the body (none with body "*").
	if r.body != "*" {
		skip := map[string]bool{}
		for v := range inPath {
			skip[v] = true
		}
		if r.body != "" {
			skip[r.body] = true
		}
		req := g.requiredFields(in)
		g.query(op, in, "", "", skip, req, 0)
	}

	// Responses.
	var res *Schema
	if r.response != "" {
		fields, err := fieldPath(m.Output.Desc, r.response)
		if err != nil {
			return err
		}
		res = g.field(fields[len(fields)-1], false)
	} else {
		res = g.ref(m.Output.Desc)
	}
	op.Responses = map[string]*Response{
		"200": {Description: "OK", Content: jsonContent(res)},
		"default": {Description: "An error: the google.rpc.Status of the call, with the HTTP status of its code.",
			Content: jsonContent(g.ref(statusDescriptor()))},
	}

	path := r.path()
	item := g.paths[path]
	if item == nil {
		item = &PathItem{}
		g.paths[path] = item
	}
	slot := item.slot(r.verb)
	if *slot != nil {
		return fmt.Errorf("%s %s is bound twice (also %s)", r.verb, path, (*slot).OperationID)
	}
	*slot = op
	return nil
}

// summary is the first sentence of a comment.
func summary(c string) string {
	c = strings.ReplaceAll(c, "\n", " ")
	if i := strings.Index(c, ". "); i >= 0 {
		return c[:i+1]
	}
	return c
}

func jsonNames(fields []protoreflect.FieldDescriptor) []string {
	out := make([]string, len(fields))
	for i, fd := range fields {
		out[i] = fd.JSONName()
	}
	return out
}

func jsonContent(s *Schema) map[string]*MediaType {
	return map[string]*MediaType{"application/json": {Schema: s}}
}

// body is a request body of message md: its schema, or, when fields of it are bound by the path (the gateway takes
// them from there), a schema of its own without them.
func (g *generator) body(md protoreflect.MessageDescriptor, drop []string, name string) *RequestBody {
	if len(drop) == 0 {
		return &RequestBody{Required: true, Content: jsonContent(g.ref(md))}
	}
	full := g.build(md)
	s := &Schema{Type: "object", Description: full.Description}
	for _, p := range full.Properties {
		fd := md.Fields().ByJSONName(p.Name)
		if fd != nil && slices.Contains(drop, string(fd.Name())) {
			continue
		}
		s.Properties = append(s.Properties, p)
	}
	for _, req := range full.Required {
		fd := md.Fields().ByJSONName(req)
		if fd != nil && slices.Contains(drop, string(fd.Name())) {
			continue
		}
		s.Required = append(s.Required, req)
	}
	g.schemas[name] = s
	return &RequestBody{Required: true, Content: jsonContent(&Schema{Ref: "#/components/schemas/" + name})}
}

// query adds a query parameter for every field of md reachable by singular message fields, as grpc-gateway reads
// them (name.subname); maps and lists of messages cannot be query parameters.
func (g *generator) query(op *Operation, md protoreflect.MessageDescriptor, prefix, protoPrefix string, skip map[string]bool, required []protoreflect.FieldNumber, depth int) {
	if depth > 5 {
		return
	}
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		protoPath := protoPrefix + string(fd.Name())
		if skip[protoPath] || fd.IsMap() {
			continue
		}
		name := prefix + fd.JSONName()
		if fd.Message() != nil && wellKnown(fd.Message()) == nil {
			if fd.IsList() {
				continue
			}
			g.query(op, fd.Message(), name+".", protoPath+".", skip, nil, depth+1)
			continue
		}
		s := g.field(fd, true)
		s.Nullable = false
		desc := s.Description
		s.Description = ""
		op.Parameters = append(op.Parameters, &Parameter{Name: name, In: "query", Description: desc,
			Required: slices.Contains(required, fd.Number()), Schema: s})
	}
}

// ref is a reference to the schema of a message or enum, made on first use.
func (g *generator) ref(d protoreflect.Descriptor) *Schema {
	name := g.name(d)
	if _, ok := g.schemas[name]; !ok {
		switch d := d.(type) {
		case protoreflect.MessageDescriptor:
			g.message(d)
		case protoreflect.EnumDescriptor:
			g.schemas[name] = g.enum(d)
		}
	}
	return &Schema{Ref: "#/components/schemas/" + name}
}

// name is a message's or enum's schema name: without the package for the generated package (User, Plan,
// Outer.Inner), the full name for others (google.rpc.Status).
func (g *generator) name(d protoreflect.Descriptor) string {
	if n, ok := g.names[d.FullName()]; ok {
		return n
	}
	n := string(d.FullName())
	if g.short && d.ParentFile().Package() == g.pkg {
		n = strings.TrimPrefix(n, string(g.pkg)+".")
	}
	g.names[d.FullName()] = n
	return n
}

func (g *generator) enum(ed protoreflect.EnumDescriptor) *Schema {
	s := &Schema{Type: "string", Description: g.comments[ed.FullName()]}
	applyEnum(s, ed, &validate.EnumRules{}, new([]string))
	var lines []string
	values := ed.Values()
	for i := range values.Len() {
		if c := g.comments[values.Get(i).FullName()]; c != "" {
			lines = append(lines, fmt.Sprintf("- `%s`: %s", values.Get(i).Name(), strings.ReplaceAll(c, "\n", " ")))
		}
	}
	if len(lines) > 0 {
		s.Description = strings.TrimSpace(s.Description + "\n\n" + strings.Join(lines, "\n"))
	}
	return s
}

// message builds (once) and returns the schema of a message.
func (g *generator) message(md protoreflect.MessageDescriptor) *Schema {
	name := g.name(md)
	if s, ok := g.schemas[name]; ok {
		return s
	}
	if wk := wellKnown(md); wk != nil {
		g.schemas[name] = wk
		return wk
	}
	s := &Schema{}
	g.schemas[name] = s // before the fields: a message may refer to itself
	*s = *g.build(md)
	return s
}

// build makes the schema of a message: an object with a property per field, in order.
func (g *generator) build(md protoreflect.MessageDescriptor) *Schema {
	s := &Schema{Type: "object", Description: g.comments[md.FullName()]}
	required := g.requiredFields(md)
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		req := slices.Contains(required, fd.Number())
		s.Properties = append(s.Properties, Property{Name: fd.JSONName(), Schema: g.field(fd, req)})
		if req {
			s.Required = append(s.Required, fd.JSONName())
		}
	}
	if mr, err := protovalidate.ResolveMessageRules(md); err == nil && mr != nil {
		if notes := unhandled(mr, nil); len(notes) > 0 {
			s.Description = withNotes(s.Description, notes)
		}
	}
	return s
}

// requiredFields are the fields protovalidate rejects in the empty message: the ones a request must set.
func (g *generator) requiredFields(md protoreflect.MessageDescriptor) []protoreflect.FieldNumber {
	if r, ok := g.required[md.FullName()]; ok {
		return r
	}
	var out []protoreflect.FieldNumber
	err := g.validator.Validate(dynamicpb.NewMessage(md))
	var verr *protovalidate.ValidationError
	if errors.As(err, &verr) {
		for _, v := range verr.Violations {
			if els := v.Proto.GetField().GetElements(); len(els) == 1 && !slices.Contains(out, protoreflect.FieldNumber(els[0].GetFieldNumber())) {
				out = append(out, protoreflect.FieldNumber(els[0].GetFieldNumber()))
			}
		}
	}
	g.required[md.FullName()] = out
	return out
}

func rulesOf(fd protoreflect.FieldDescriptor) *validate.FieldRules {
	r, err := protovalidate.ResolveFieldRules(fd)
	if err != nil || r == nil {
		return &validate.FieldRules{}
	}
	return r
}

// field is the schema of a field as a property: its value (or list or map of values) with its rules, its
// description, and null allowed for a singular message that is not required (the gateway writes an unset message
// as null).
func (g *generator) field(fd protoreflect.FieldDescriptor, required bool) *Schema {
	rules := rulesOf(fd)
	var notes []string
	var remark string
	var s *Schema
	switch {
	case fd.IsMap():
		s = &Schema{Type: "object", AdditionalProperties: g.value(fd.MapValue(), rules.GetMap().GetValues())}
		applyMap(s, rules.GetMap(), &notes)
	case fd.IsList():
		items := rules.GetRepeated().GetItems()
		if items.GetIgnore() == validate.Ignore_IGNORE_ALWAYS {
			remark = "The items are not validated with the message (items ignore: IGNORE_ALWAYS): an item that breaks " +
				"its schema's rules does not fail the request."
			items = nil
		}
		s = &Schema{Type: "array", Items: g.value(fd, items)}
		applyRepeated(s, rules.GetRepeated(), &notes)
	default:
		s = g.value(fd, rules)
		if fd.Message() != nil && !required {
			if s.Ref != "" {
				s = &Schema{AllOf: []*Schema{s}}
			}
			s.Nullable = true
		}
	}
	if len(rules.GetCel()) > 0 || len(rules.GetCelExpression()) > 0 {
		for _, c := range rules.GetCel() {
			notes = append(notes, fmt.Sprintf("cel %s: %s", c.GetId(), cmp.Or(c.GetMessage(), c.GetExpression())))
		}
		for _, c := range rules.GetCelExpression() {
			notes = append(notes, "cel: "+c)
		}
	}
	desc := g.comments[fd.FullName()]
	if s.Description != "" && s.Ref == "" { // the value's own (a well-known type's, rules without a keyword)
		desc = strings.TrimSpace(desc + "\n\n" + s.Description)
	}
	desc = strings.TrimSpace(withNotes(desc, notes) + "\n\n" + remark)
	if desc != "" {
		if s.Ref != "" { // a $ref takes no siblings in OpenAPI 3.0
			s = &Schema{AllOf: []*Schema{s}}
		}
		s.Description = desc
	}
	return s
}

func withNotes(desc string, notes []string) string {
	if len(notes) == 0 {
		return desc
	}
	return strings.TrimSpace(desc + "\n\nAlso checked: " + strings.Join(notes, "; ") + ".")
}

// value is the schema of one value of a field (an item of a list, the value of a map) with the rules for it.
func (g *generator) value(fd protoreflect.FieldDescriptor, rules *validate.FieldRules) *Schema {
	var notes []string
	var s *Schema
	switch fd.Kind() {
	case protoreflect.BoolKind:
		s = &Schema{Type: "boolean"}
		if c := rules.GetBool(); c != nil && c.Const != nil {
			s.Enum = []any{c.GetConst()}
		}
	case protoreflect.StringKind:
		s = &Schema{Type: "string"}
		applyString(s, rules.GetString(), &notes)
	case protoreflect.BytesKind:
		s = &Schema{Type: "string", Format: "byte"}
		if b := rules.GetBytes(); b != nil {
			notes = append(notes, unhandled(b, nil)...)
		}
	case protoreflect.EnumKind:
		if er := rules.GetEnum(); er != nil {
			s = &Schema{Type: "string"}
			applyEnum(s, fd.Enum(), er, &notes)
		} else {
			s = g.ref(fd.Enum())
		}
	case protoreflect.MessageKind, protoreflect.GroupKind:
		if wk := wellKnown(fd.Message()); wk != nil {
			c := *wk
			s = &c
		} else {
			s = g.ref(fd.Message())
		}
		for _, r := range []proto.Message{rules.GetTimestamp(), rules.GetDuration(), rules.GetAny(), rules.GetFieldMask()} {
			if r != nil && r.ProtoReflect().IsValid() {
				notes = append(notes, unhandled(r, nil)...)
			}
		}
	default:
		s = numberSchema(fd.Kind())
		var nr proto.Message
		if t := rules.ProtoReflect(); t.IsValid() {
			if which := t.WhichOneof(t.Descriptor().Oneofs().ByName("type")); which != nil && which.Message() != nil {
				nr = t.Get(which).Message().Interface()
			}
		}
		applyNumber(s, nr, s.Type == "string", &notes)
	}
	if len(notes) > 0 {
		if s.Ref != "" {
			s = &Schema{AllOf: []*Schema{s}}
		}
		s.Description = withNotes(s.Description, notes)
	}
	return s
}

func numberSchema(k protoreflect.Kind) *Schema {
	switch k {
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return &Schema{Type: "integer", Format: "int32"}
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return &Schema{Type: "integer", Format: "int64", Minimum: jsonNumber("0")}
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return &Schema{Type: "string", Format: "int64"}
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return &Schema{Type: "string", Format: "uint64"}
	case protoreflect.FloatKind:
		return &Schema{Type: "number", Format: "float"}
	case protoreflect.DoubleKind:
		return &Schema{Type: "number", Format: "double"}
	}
	return &Schema{}
}

// wellKnown is the JSON form of a well-known type, or nil for any other message.
func wellKnown(md protoreflect.MessageDescriptor) *Schema {
	switch md.FullName() {
	case "google.protobuf.Timestamp":
		return &Schema{Type: "string", Format: "date-time"}
	case "google.protobuf.Duration":
		return &Schema{Type: "string", Pattern: `^-?[0-9]+(\.[0-9]{1,9})?s$`, Description: "A duration in seconds with an s suffix, e.g. \"1.5s\"."}
	case "google.protobuf.FieldMask":
		return &Schema{Type: "string", Description: "Field paths separated by commas."}
	case "google.protobuf.Empty":
		return &Schema{Type: "object"}
	case "google.protobuf.Struct":
		return &Schema{Type: "object", AdditionalProperties: true}
	case "google.protobuf.Value":
		return &Schema{Nullable: true}
	case "google.protobuf.ListValue":
		return &Schema{Type: "array", Items: &Schema{}}
	case "google.protobuf.Any":
		return &Schema{Type: "object", Description: "A message of the type named by @type, with its fields beside it.",
			Properties: Properties{{Name: "@type", Schema: &Schema{Type: "string"}}}, AdditionalProperties: true}
	case "google.protobuf.StringValue":
		return &Schema{Type: "string", Nullable: true}
	case "google.protobuf.BytesValue":
		return &Schema{Type: "string", Format: "byte", Nullable: true}
	case "google.protobuf.BoolValue":
		return &Schema{Type: "boolean", Nullable: true}
	case "google.protobuf.Int32Value":
		return &Schema{Type: "integer", Format: "int32", Nullable: true}
	case "google.protobuf.UInt32Value":
		return &Schema{Type: "integer", Format: "int64", Minimum: jsonNumber("0"), Nullable: true}
	case "google.protobuf.Int64Value":
		return &Schema{Type: "string", Format: "int64", Nullable: true}
	case "google.protobuf.UInt64Value":
		return &Schema{Type: "string", Format: "uint64", Nullable: true}
	case "google.protobuf.FloatValue":
		return &Schema{Type: "number", Format: "float", Nullable: true}
	case "google.protobuf.DoubleValue":
		return &Schema{Type: "number", Format: "double", Nullable: true}
	}
	return nil
}

// statusDescriptor is google.rpc.Status, the body of every error the gateway answers.
func statusDescriptor() protoreflect.MessageDescriptor {
	return statuspb.File_google_rpc_status_proto.Messages().ByName("Status")
}
