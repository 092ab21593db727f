package openapi3

import (
	"bytes"
	"encoding/json"
)

// The subset of OpenAPI 3.0.3 the generator writes. Properties keep the order of the fields in the .proto file
// (encoding/json would sort a map), so the document reads like the contract; everything else that is a map (paths,
// components) is sorted, so the output is the same on every run.

// Document is an OpenAPI 3.0.3 document.
type Document struct {
	OpenAPI    string                `json:"openapi"`
	Info       Info                  `json:"info"`
	Tags       []Tag                 `json:"tags,omitempty"`
	Security   []map[string][]string `json:"security,omitempty"`
	Paths      map[string]*PathItem  `json:"paths"`
	Components Components            `json:"components"`
}

// Info is the document's info object.
type Info struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Version     string `json:"version"`
}

// Tag names a service.
type Tag struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Components holds the named schemas and the security schemes.
type Components struct {
	Schemas         map[string]*Schema         `json:"schemas"`
	SecuritySchemes map[string]*SecurityScheme `json:"securitySchemes,omitempty"`
}

// SecurityScheme is an HTTP authentication scheme.
type SecurityScheme struct {
	Type         string `json:"type"`
	Scheme       string `json:"scheme"`
	Description  string `json:"description,omitempty"`
	BearerFormat string `json:"bearerFormat,omitempty"`
}

// PathItem holds the operations of one path template.
type PathItem struct {
	Get    *Operation `json:"get,omitempty"`
	Put    *Operation `json:"put,omitempty"`
	Post   *Operation `json:"post,omitempty"`
	Delete *Operation `json:"delete,omitempty"`
	Patch  *Operation `json:"patch,omitempty"`
}

// slot returns where the operation for an HTTP method goes.
func (p *PathItem) slot(method string) **Operation {
	switch method {
	case "GET":
		return &p.Get
	case "PUT":
		return &p.Put
	case "POST":
		return &p.Post
	case "DELETE":
		return &p.Delete
	case "PATCH":
		return &p.Patch
	}
	return nil
}

// Operation is one route of the gateway: one google.api.http binding of an RPC.
type Operation struct {
	OperationID string               `json:"operationId"`
	Summary     string               `json:"summary,omitempty"`
	Description string               `json:"description,omitempty"`
	Tags        []string             `json:"tags,omitempty"`
	Parameters  []*Parameter         `json:"parameters,omitempty"`
	RequestBody *RequestBody         `json:"requestBody,omitempty"`
	Responses   map[string]*Response `json:"responses"`
}

// Parameter is a path or query parameter.
type Parameter struct {
	Name        string  `json:"name"`
	In          string  `json:"in"`
	Description string  `json:"description,omitempty"`
	Required    bool    `json:"required,omitempty"`
	Schema      *Schema `json:"schema"`
}

// RequestBody is the JSON body of a request.
type RequestBody struct {
	Description string                `json:"description,omitempty"`
	Required    bool                  `json:"required"`
	Content     map[string]*MediaType `json:"content"`
}

// Response is one response of an operation.
type Response struct {
	Description string                `json:"description"`
	Content     map[string]*MediaType `json:"content,omitempty"`
}

// MediaType holds the schema of a body.
type MediaType struct {
	Schema *Schema `json:"schema"`
}

// Schema is an OpenAPI 3.0 schema object (a JSON Schema draft-05 subset).
type Schema struct {
	Ref                  string       `json:"$ref,omitempty"`
	Type                 string       `json:"type,omitempty"`
	Format               string       `json:"format,omitempty"`
	Description          string       `json:"description,omitempty"`
	Nullable             bool         `json:"nullable,omitempty"`
	AllOf                []*Schema    `json:"allOf,omitempty"`
	Not                  *Schema      `json:"not,omitempty"`
	Enum                 []any        `json:"enum,omitempty"`
	Pattern              string       `json:"pattern,omitempty"`
	MinLength            *uint64      `json:"minLength,omitempty"`
	MaxLength            *uint64      `json:"maxLength,omitempty"`
	Minimum              *json.Number `json:"minimum,omitempty"`
	ExclusiveMinimum     bool         `json:"exclusiveMinimum,omitempty"`
	Maximum              *json.Number `json:"maximum,omitempty"`
	ExclusiveMaximum     bool         `json:"exclusiveMaximum,omitempty"`
	MinItems             *uint64      `json:"minItems,omitempty"`
	MaxItems             *uint64      `json:"maxItems,omitempty"`
	UniqueItems          bool         `json:"uniqueItems,omitempty"`
	Items                *Schema      `json:"items,omitempty"`
	Properties           Properties   `json:"properties,omitempty"`
	Required             []string     `json:"required,omitempty"`
	AdditionalProperties any          `json:"additionalProperties,omitempty"` // bool or *Schema
	MinProperties        *uint64      `json:"minProperties,omitempty"`
	MaxProperties        *uint64      `json:"maxProperties,omitempty"`
}

// Property is one named property of an object schema.
type Property struct {
	Name   string
	Schema *Schema
}

// Properties are an object's properties in the order of the message's fields.
type Properties []Property

// MarshalJSON writes the properties as one JSON object, in order.
func (ps Properties) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshal(p.Name)
		if err != nil {
			return nil, err
		}
		v, err := marshal(p.Schema)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Get returns the named property's schema, or nil.
func (ps Properties) Get(name string) *Schema {
	for _, p := range ps {
		if p.Name == name {
			return p.Schema
		}
	}
	return nil
}

// marshal is json.Marshal without HTML escaping (patterns keep their < > &).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// Marshal renders the document as indented JSON with a final newline.
func (d *Document) Marshal() ([]byte, error) {
	raw, err := marshal(d)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}
