// Package chart tests the Helm chart in streaming/: it renders it with the helm pinned in internal/tools/helm.mod
// and decodes every manifest strictly into the Kubernetes API types, so a misspelt or misplaced field fails here
// instead of at install time.
package chart

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

const release = "rel"

// secretSettings are the settings that hold secrets: the chart may pass them only as files (<NAME>_FILE).
var secretSettings = []string{"STREAMING_ADMIN_TOKEN", "STREAMING_SERVICE_TOKEN", "STREAMING_POSTGRES_URL",
	"STREAMING_MIGRATE_POSTGRES_URL", "STREAMING_REDIS_PASSWORD", "STREAMING_CASSANDRA_PASSWORD",
	"STREAMING_NEO4J_PASSWORD", "STREAMING_SEARCH_PASSWORD", "STREAMING_STRIPE_API_KEY", "STREAMING_IDEMPOTENCY_FINGERPRINT_KEY"}

// defaultSecretFiles are the secret files every serving container gets with the default values.
var defaultSecretFiles = []string{"STREAMING_ADMIN_TOKEN_FILE", "STREAMING_SERVICE_TOKEN_FILE",
	"STREAMING_POSTGRES_URL_FILE", "STREAMING_REDIS_PASSWORD_FILE", "STREAMING_CASSANDRA_PASSWORD_FILE",
	"STREAMING_NEO4J_PASSWORD_FILE", "STREAMING_SEARCH_PASSWORD_FILE", "STREAMING_STRIPE_API_KEY_FILE",
	"STREAMING_IDEMPOTENCY_FINGERPRINT_KEY_FILE"}

// rendered is one chart rendering, decoded.
type rendered struct {
	deployments     map[string]*appsv1.Deployment
	jobs            map[string]*batchv1.Job
	services        map[string]*corev1.Service
	serviceAccounts map[string]*corev1.ServiceAccount
	secrets         map[string]*corev1.Secret
	configMaps      map[string]*corev1.ConfigMap
	pdbs            map[string]*policyv1.PodDisruptionBudget
	hpas            map[string]*autoscalingv2.HorizontalPodAutoscaler
	netpols         map[string]*networkingv1.NetworkPolicy
	kinds           []string // apiVersion/kind of each manifest, in order
}

// helmTemplate runs `helm template` of the pinned helm from the repository root and returns its output.
func helmTemplate(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "go", append([]string{"tool", "-modfile=internal/tools/helm.mod", "helm",
		"template", release, "deploy/chart/streaming", "--namespace", "streaming"}, args...)...)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("helm template %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// render renders the chart with args and decodes every manifest strictly: duplicate keys, unknown fields, wrong
// types and unknown kinds all fail the test.
func render(t *testing.T, args ...string) rendered {
	t.Helper()
	out, err := helmTemplate(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	r := rendered{deployments: map[string]*appsv1.Deployment{}, jobs: map[string]*batchv1.Job{},
		services: map[string]*corev1.Service{}, serviceAccounts: map[string]*corev1.ServiceAccount{},
		secrets: map[string]*corev1.Secret{}, configMaps: map[string]*corev1.ConfigMap{},
		pdbs: map[string]*policyv1.PodDisruptionBudget{}, hpas: map[string]*autoscalingv2.HorizontalPodAutoscaler{},
		netpols: map[string]*networkingv1.NetworkPolicy{}}
	for i, doc := range docSeparator.Split(out, -1) {
		if isEmptyDoc(doc) {
			continue
		}
		js, err := yaml.YAMLToJSONStrict([]byte(doc))
		if err != nil {
			t.Fatalf("manifest %d is not strict YAML: %v\n%s", i, err, doc)
		}
		var tm metav1.TypeMeta
		if err := json.Unmarshal(js, &tm); err != nil {
			t.Fatalf("manifest %d: %v", i, err)
		}
		gvk := tm.APIVersion + "/" + tm.Kind
		var name string
		switch gvk {
		case "apps/v1/Deployment":
			name = decodeInto(t, gvk, js, r.deployments)
		case "batch/v1/Job":
			name = decodeInto(t, gvk, js, r.jobs)
		case "v1/Service":
			name = decodeInto(t, gvk, js, r.services)
		case "v1/ServiceAccount":
			name = decodeInto(t, gvk, js, r.serviceAccounts)
		case "v1/Secret":
			name = decodeInto(t, gvk, js, r.secrets)
		case "v1/ConfigMap":
			name = decodeInto(t, gvk, js, r.configMaps)
		case "policy/v1/PodDisruptionBudget":
			name = decodeInto(t, gvk, js, r.pdbs)
		case "autoscaling/v2/HorizontalPodAutoscaler":
			name = decodeInto(t, gvk, js, r.hpas)
		case "networking.k8s.io/v1/NetworkPolicy":
			name = decodeInto(t, gvk, js, r.netpols)
		default:
			t.Fatalf("manifest %d: unexpected kind %q (add it to the test with its k8s.io/api type):\n%s", i, gvk, doc)
		}
		if name == "" {
			t.Errorf("%s without metadata.name", gvk)
		}
		r.kinds = append(r.kinds, gvk)
	}
	if len(r.kinds) == 0 {
		t.Fatal("helm template rendered no manifest")
	}
	return r
}

func isEmptyDoc(doc string) bool {
	for line := range strings.Lines(doc) {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

// objectWithMeta is every decoded type: a pointer to a struct with ObjectMeta.
type objectWithMeta interface{ GetName() string }

// decodeInto decodes js into a new T, refusing unknown fields, and files it under its name.
func decodeInto[T any, PT interface {
	*T
	objectWithMeta
}](t *testing.T, gvk string, js []byte, into map[string]PT) string {
	t.Helper()
	obj := PT(new(T))
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(obj); err != nil {
		t.Fatalf("%s does not decode strictly: %v\n%s", gvk, err, js)
	}
	if _, dup := into[obj.GetName()]; dup {
		t.Errorf("two %s named %q", gvk, obj.GetName())
	}
	into[obj.GetName()] = obj
	return obj.GetName()
}

func envOf(c corev1.Container) map[string]string {
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	return env
}

// checkContainer asserts what every container of the chart must be: non-root, read-only, no capabilities,
// resources bounded, secrets only as files from a mounted Secret.
func checkContainer(t *testing.T, what string, pod corev1.PodSpec, c corev1.Container, wantFiles []string) {
	t.Helper()
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser != 65532 {
		t.Errorf("%s: pod securityContext %+v: want runAsNonRoot and runAsUser 65532", what, psc)
	}
	sc := c.SecurityContext
	switch {
	case sc == nil:
		t.Fatalf("%s: container without securityContext", what)
	case sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != 65532:
		t.Errorf("%s: container runs as %v (nonRoot %v): want 65532, non-root", what, sc.RunAsUser, sc.RunAsNonRoot)
	case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
		t.Errorf("%s: root filesystem is writable", what)
	case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
		t.Errorf("%s: privilege escalation allowed", what)
	case sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0:
		t.Errorf("%s: capabilities %+v: want drop ALL, add none", what, sc.Capabilities)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Errorf("%s: mounts a service account token; the server never calls the Kubernetes API", what)
	}
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if c.Resources.Requests.Name(res, "").IsZero() || c.Resources.Limits.Name(res, "").IsZero() {
			t.Errorf("%s: %s request or limit missing: %+v", what, res, c.Resources)
		}
	}

	for _, e := range c.Env {
		if e.ValueFrom != nil {
			t.Errorf("%s: %s comes from valueFrom; secrets are mounted as files", what, e.Name)
		}
		if slices.Contains(secretSettings, e.Name) {
			t.Errorf("%s: secret setting %s passed as a variable; want %s_FILE", what, e.Name, e.Name)
		}
	}
	for _, a := range c.Args {
		for _, s := range []string{"token", "password", "postgres-url", "api-key"} {
			if strings.Contains(a, s) {
				t.Errorf("%s: argument %q looks like a secret on the command line", what, a)
			}
		}
	}
	// Each *_FILE points into a read-only mount of a Secret volume that projects exactly that key.
	env := envOf(c)
	var files []string
	for name := range env {
		if strings.HasSuffix(name, "_FILE") && slices.Contains(secretSettings, strings.TrimSuffix(name, "_FILE")) {
			files = append(files, name)
		}
	}
	slices.Sort(files)
	want := slices.Sorted(slices.Values(wantFiles))
	if !slices.Equal(files, want) {
		t.Errorf("%s: secret files %v, want %v", what, files, want)
	}
	for _, name := range files {
		path := env[name]
		mount, key := filepath.Split(path)
		mount = strings.TrimSuffix(mount, "/")
		i := slices.IndexFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == mount })
		if i < 0 {
			t.Errorf("%s: %s=%s: nothing mounted at %s", what, name, path, mount)
			continue
		}
		if !c.VolumeMounts[i].ReadOnly {
			t.Errorf("%s: %s is mounted writable", what, mount)
		}
		j := slices.IndexFunc(pod.Volumes, func(v corev1.Volume) bool { return v.Name == c.VolumeMounts[i].Name })
		if j < 0 || pod.Volumes[j].Secret == nil {
			t.Errorf("%s: %s: the volume at %s is not a Secret", what, name, mount)
			continue
		}
		if !slices.ContainsFunc(pod.Volumes[j].Secret.Items, func(k corev1.KeyToPath) bool { return k.Key == key && k.Path == key }) {
			t.Errorf("%s: %s: Secret volume does not project key %q", what, name, key)
		}
	}
}

// checkGRPCProbes asserts Kubernetes' native gRPC probes on the gRPC port for the overall health ("").
func checkGRPCProbes(t *testing.T, what string, c corev1.Container) {
	t.Helper()
	for name, p := range map[string]*corev1.Probe{"startup": c.StartupProbe, "liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		switch {
		case p == nil:
			t.Errorf("%s: no %s probe", what, name)
		case p.GRPC == nil || p.HTTPGet != nil || p.TCPSocket != nil || p.Exec != nil:
			t.Errorf("%s: %s probe %+v: want grpc only", what, name, p.ProbeHandler)
		case p.GRPC.Port != 50051 || p.GRPC.Service == nil || *p.GRPC.Service != "":
			t.Errorf("%s: %s probe grpc %+v: want port 50051, service \"\"", what, name, p.GRPC)
		}
	}
}

func servicePorts(s *corev1.Service) []int32 {
	var ports []int32
	for _, p := range s.Spec.Ports {
		ports = append(ports, p.Port)
	}
	slices.Sort(ports)
	return ports
}

func TestDefaultValues(t *testing.T) {
	r := render(t)
	kinds := slices.Sorted(slices.Values(r.kinds))
	want := []string{"apps/v1/Deployment", "batch/v1/Job", "policy/v1/PodDisruptionBudget", "v1/Service", "v1/Service", "v1/ServiceAccount"}
	if !slices.Equal(kinds, want) {
		t.Errorf("rendered %v, want %v", kinds, want)
	}

	api := r.deployments["rel-streaming"]
	if api == nil {
		t.Fatalf("no API Deployment rel-streaming among %v", r.deployments)
	}
	if api.Spec.Replicas == nil || *api.Spec.Replicas != 3 {
		t.Errorf("API replicas %v, want 3", api.Spec.Replicas)
	}
	pod := api.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("API pod has %d containers", len(pod.Containers))
	}
	c := pod.Containers[0]
	checkContainer(t, "api", pod, c, defaultSecretFiles)
	checkGRPCProbes(t, "api", c)
	if c.Image != "registry.example.com/streaming/streamingd:0.1.0" {
		t.Errorf("image %q: want the repository value and the chart's appVersion", c.Image)
	}
	env := envOf(c)
	for k, v := range map[string]string{
		"STREAMING_ENV":                   "production",
		"STREAMING_GRPC_ADDR":             ":50051",
		"STREAMING_HTTP_ADDR":             ":8080",
		"STREAMING_OPS_ADDR":              ":9090",
		"STREAMING_MIGRATE":               "false", // the Job migrates
		"STREAMING_CASSANDRA_CONSISTENCY": "LOCAL_QUORUM",
		"STREAMING_CASSANDRA_REPLICATION": "NetworkTopologyStrategy:dc1=3",
		"STREAMING_REDIS_ADDR":            "streaming-redis:6379",
		"STREAMING_NEO4J_URI":             "neo4j+s://streaming-neo4j:7687",
		"STREAMING_SEARCH_URL":            "https://streaming-search:9200",
		"STREAMING_CASSANDRA_HOSTS":       "streaming-dc1-service:9042",
	} {
		if env[k] != v {
			t.Errorf("api %s=%q, want %q", k, env[k], v)
		}
	}
	if _, ok := env["STREAMING_PROJECTIONS"]; ok {
		t.Errorf("api sets STREAMING_PROJECTIONS without a relay Deployment: the API replicas must run the relay")
	}
	if _, ok := env["STREAMING_TLS_TERMINATED_UPSTREAM"]; ok {
		t.Errorf("the chart claims TLS is terminated upstream without being told")
	}

	if s := r.services["rel-streaming"]; s == nil || !slices.Equal(servicePorts(s), []int32{8080, 50051}) {
		t.Errorf("API Service %+v: want ports 8080 and 50051 only (never the operators' port)", s)
	}
	if s := r.services["rel-streaming-ops"]; s == nil || !slices.Equal(servicePorts(s), []int32{9090}) {
		t.Errorf("operators' Service %+v: want port 9090 only", s)
	}
	if pdb := r.pdbs["rel-streaming"]; pdb == nil || pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() != 1 ||
		pdb.Spec.Selector.MatchLabels["app.kubernetes.io/component"] != "api" {
		t.Errorf("PodDisruptionBudget %+v: want minAvailable 1 over the API pods", pdb)
	}

	job := r.jobs["rel-streaming-migrate"]
	if job == nil {
		t.Fatalf("no migrations Job among %v", r.jobs)
	}
	hooks := strings.Split(job.Annotations["helm.sh/hook"], ",")
	if !slices.Contains(hooks, "pre-install") || !slices.Contains(hooks, "pre-upgrade") {
		t.Errorf("migrations Job hooks %q: want pre-install and pre-upgrade", job.Annotations["helm.sh/hook"])
	}
	jpod := job.Spec.Template.Spec
	if jpod.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("migrations Job restartPolicy %q", jpod.RestartPolicy)
	}
	jc := jpod.Containers[0]
	checkContainer(t, "migrations", jpod, jc, defaultSecretFiles)
	if !slices.Equal(jc.Args, []string{"-migrate-only"}) {
		t.Errorf("migrations Job args %q, want [-migrate-only]", jc.Args)
	}
	if _, ok := envOf(jc)["STREAMING_MIGRATE"]; ok {
		t.Errorf("migrations Job sets STREAMING_MIGRATE; it runs -migrate-only")
	}
}

func TestEveryOptionOn(t *testing.T) {
	r := render(t, "-f", "deploy/chart/testdata/all-on.yaml")
	kinds := slices.Sorted(slices.Values(r.kinds))
	want := []string{"apps/v1/Deployment", "apps/v1/Deployment", "autoscaling/v2/HorizontalPodAutoscaler", "batch/v1/Job",
		"networking.k8s.io/v1/NetworkPolicy", "policy/v1/PodDisruptionBudget", "v1/Secret", "v1/Service", "v1/Service",
		"v1/ServiceAccount"}
	if !slices.Equal(kinds, want) {
		t.Errorf("rendered %v, want %v", kinds, want)
	}

	api, relay := r.deployments["rel-streaming"], r.deployments["rel-streaming-relay"]
	if api == nil || relay == nil {
		t.Fatalf("want the API and the relay Deployments, got %v", r.deployments)
	}
	if api.Spec.Replicas != nil {
		t.Errorf("API replicas set to %d with the HorizontalPodAutoscaler on: every upgrade would reset its scale", *api.Spec.Replicas)
	}
	apiEnv, relayEnv := envOf(api.Spec.Template.Spec.Containers[0]), envOf(relay.Spec.Template.Spec.Containers[0])
	if apiEnv["STREAMING_PROJECTIONS"] != "false" || relayEnv["STREAMING_PROJECTIONS"] != "true" {
		t.Errorf("STREAMING_PROJECTIONS api=%q relay=%q: want the relay only in the relay Deployment",
			apiEnv["STREAMING_PROJECTIONS"], relayEnv["STREAMING_PROJECTIONS"])
	}
	if relayEnv["STREAMING_API"] != "false" || apiEnv["STREAMING_API"] == "false" {
		t.Errorf("STREAMING_API api=%q relay=%q: want the API off in the relay Deployment only", apiEnv["STREAMING_API"], relayEnv["STREAMING_API"])
	}
	if ports := relay.Spec.Template.Spec.Containers[0].Ports; len(ports) != 1 || ports[0].Name != "ops" {
		t.Errorf("relay ports %+v: want the operators' port only (its API is off)", ports)
	}
	if apiEnv["STREAMING_INGEST_WRITERS"] != "32" || relayEnv["STREAMING_INGEST_WRITERS"] != "" {
		t.Errorf("api.env not applied to the API alone: api=%q relay=%q", apiEnv["STREAMING_INGEST_WRITERS"], relayEnv["STREAMING_INGEST_WRITERS"])
	}
	for _, e := range []map[string]string{apiEnv, relayEnv} {
		if e["STREAMING_NEO4J_USER"] != "streaming" || e["STREAMING_LOG_LEVEL"] != "warn" {
			t.Errorf("env not applied to every container: %v", e)
		}
		if e["STREAMING_TLS_CERT_FILE"] != "/var/run/secrets/streaming-tls/tls.crt" || e["STREAMING_TLS_KEY_FILE"] != "/var/run/secrets/streaming-tls/tls.key" {
			t.Errorf("TLS files %q %q", e["STREAMING_TLS_CERT_FILE"], e["STREAMING_TLS_KEY_FILE"])
		}
	}
	for name, d := range r.deployments {
		pod := d.Spec.Template.Spec
		checkContainer(t, name, pod, pod.Containers[0], defaultSecretFiles)
		// The native gRPC probe cannot speak TLS: with TLS the probes use the operators' plaintext port.
		c := pod.Containers[0]
		for _, p := range []*corev1.Probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
			if p == nil || p.HTTPGet == nil || p.HTTPGet.Port.String() != "ops" {
				t.Errorf("%s: probe %+v: want httpGet on the ops port with TLS on", name, p)
			}
		}
		if len(pod.ImagePullSecrets) != 1 || pod.Affinity == nil || len(pod.Tolerations) != 1 {
			t.Errorf("%s: pull secrets, affinity or tolerations missing", name)
		}
		if v := pod.Volumes[slices.IndexFunc(pod.Volumes, func(v corev1.Volume) bool { return v.Name == "secrets" })]; !slices.Contains(v.Secret.Items,
			corev1.KeyToPath{Key: "postgres-ca.crt", Path: "postgres-ca.crt"}) {
			t.Errorf("%s: secrets.extraFiles not mounted: %+v", name, v.Secret.Items)
		}
		if c.Image != "registry.example.com/streaming/streamingd:1.2.3" {
			t.Errorf("%s: image %q", name, c.Image)
		}
	}
	job := r.jobs["rel-streaming-migrate"]
	jc := job.Spec.Template.Spec.Containers[0]
	checkContainer(t, "migrations", job.Spec.Template.Spec, jc, append(slices.Clone(defaultSecretFiles), "STREAMING_MIGRATE_POSTGRES_URL_FILE"))

	hpa := r.hpas["rel-streaming"]
	if hpa == nil || hpa.Spec.ScaleTargetRef.Kind != "Deployment" || hpa.Spec.ScaleTargetRef.Name != "rel-streaming" || len(hpa.Spec.Metrics) != 2 {
		t.Errorf("HorizontalPodAutoscaler %+v: want it on the API Deployment with a CPU and a memory target", hpa)
	}
	if s := r.secrets["rel-streaming-secrets"]; s == nil || len(s.StringData) != 10 || !strings.Contains(s.Annotations["helm.sh/hook"], "pre-install") {
		t.Errorf("created Secret %+v: want the 10 values, made before the migrations Job (a pre-install hook)", s)
	}

	np := r.netpols["rel-streaming"]
	if np == nil {
		t.Fatal("no NetworkPolicy")
	}
	if !slices.Equal(np.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}) {
		t.Errorf("NetworkPolicy types %v", np.Spec.PolicyTypes)
	}
	for _, rule := range np.Spec.Ingress {
		var ports []int
		for _, p := range rule.Ports {
			ports = append(ports, p.Port.IntValue())
		}
		switch {
		case slices.Contains(ports, 9090):
			if len(ports) != 1 || len(rule.From) != 1 || rule.From[0].NamespaceSelector == nil ||
				rule.From[0].NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] != "monitoring" {
				t.Errorf("metrics port rule %+v: want 9090 alone, from the monitoring namespace only", rule)
			}
		case slices.Equal(ports, []int{50051, 8080}):
			if len(rule.From) != 1 || rule.From[0].NamespaceSelector == nil || rule.From[0].PodSelector == nil {
				t.Errorf("API ports rule %+v: want them from the ingress selector of the values", rule)
			}
		default:
			t.Errorf("unexpected ingress rule %+v", rule)
		}
	}
	var egress []int
	for _, rule := range np.Spec.Egress {
		for _, p := range rule.Ports {
			egress = append(egress, p.Port.IntValue())
		}
	}
	for _, port := range []int{53, 5432, 6379, 9042, 7687, 9200, 443} {
		if !slices.Contains(egress, port) {
			t.Errorf("NetworkPolicy egress %v lacks port %d", egress, port)
		}
	}
}

// TestGRPCProbesRefuseTLS: the native gRPC probe speaks plaintext, so a TLS API listener with gRPC probes would
// never become ready; the chart refuses to render it.
func TestGRPCProbesRefuseTLS(t *testing.T) {
	_, err := helmTemplate(t, "--set", "tls.secretName=api-tls")
	if err == nil || !strings.Contains(err.Error(), "probes.kind=grpc cannot check a TLS listener") {
		t.Fatalf("helm template with TLS and gRPC probes: %v; want the chart's refusal", err)
	}
}

// TestSecretFileLeftOut: an entry of secrets.files set to null is neither mounted nor named to the server (a key the
// Secret lacks would keep the pod from starting).
func TestSecretFileLeftOut(t *testing.T) {
	r := render(t, "--set", "secrets.files.stripeAPIKey=null")
	pod := r.deployments["rel-streaming"].Spec.Template.Spec
	want := slices.DeleteFunc(slices.Clone(defaultSecretFiles), func(s string) bool { return s == "STREAMING_STRIPE_API_KEY_FILE" })
	checkContainer(t, "api", pod, pod.Containers[0], want)
	for _, v := range pod.Volumes {
		if v.Secret != nil && slices.ContainsFunc(v.Secret.Items, func(k corev1.KeyToPath) bool { return k.Key == "stripe-api-key" }) {
			t.Errorf("stripe-api-key still mounted: %+v", v.Secret.Items)
		}
	}
}
