#!/usr/bin/env bash
# jvm-plugins.sh: fetch the JVM code generators that buf.gen.yaml runs for gen/java and gen/kotlin, from Maven Central
# through Maven (into ~/.m2, then copied into .build/codegen/, git-ignored), once per set of versions:
#   .build/codegen/bin/protoc                 com.google.protobuf:protoc:<protobuf.version>:exe:<os-arch>
#                                             (its built-in java and kotlin generators, run by buf as protoc_builtin)
#   .build/codegen/bin/protoc-gen-grpc-java   io.grpc:protoc-gen-grpc-java:<grpc.version>:exe:<os-arch>
#   .build/codegen/protoc-gen-grpc-kotlin.jar io.grpc:protoc-gen-grpc-kotlin:<grpc-kotlin.version>:jar:jdk8
#                                             (run by our wrapper deploy/codegen/protoc-gen-grpc-kotlin)
# The versions are read from clients/kotlin/pom.xml, the runtime the generated code is compiled against, so a runtime
# bump there re-fetches the generators here (and `go tool task gen:check` compares gen/ with what they make).
# `go tool task gen` and `gen:check` run this first; when everything is in place it returns at once.
# Needs mvn and java (both already prerequisites of the local stack).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pom="$root/clients/kotlin/pom.xml"
out="$root/.build/codegen"

prop() {
	local v
	v="$(sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$pom" | head -n 1)"
	if [ -z "$v" ]; then
		echo "jvm-plugins: no <$1> property in $pom" >&2
		exit 1
	fi
	echo "$v"
}
protobuf="$(prop protobuf.version)"
grpc="$(prop grpc.version)"
grpckt="$(prop grpc-kotlin.version)"

case "$(uname -s)-$(uname -m)" in
Linux-x86_64) platform=linux-x86_64 ;;
Linux-aarch64 | Linux-arm64) platform=linux-aarch_64 ;;
Darwin-x86_64) platform=osx-x86_64 ;;
Darwin-arm64) platform=osx-aarch_64 ;;
*)
	echo "jvm-plugins: no protoc build on Maven Central for $(uname -s) $(uname -m)" >&2
	exit 1
	;;
esac

want="protoc $protobuf, protoc-gen-grpc-java $grpc, protoc-gen-grpc-kotlin $grpckt, $platform"
if [ "$(cat "$out/versions" 2>/dev/null)" = "$want" ] && [ -x "$out/bin/protoc" ] &&
	[ -x "$out/bin/protoc-gen-grpc-java" ] && [ -f "$out/protoc-gen-grpc-kotlin.jar" ]; then
	exit 0
fi

for tool in mvn java; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "jvm-plugins: $tool is needed to fetch and run the JVM code generators (on Debian: apt-get install maven openjdk-17-jdk-headless)" >&2
		exit 1
	fi
done

echo "jvm-plugins: fetching $want from Maven Central" >&2
mkdir -p "$root/.build"
tmp="$(mktemp -d "$root/.build/codegen.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# One Maven run for the three files (each run costs a JVM start): a throwaway pom whose only content is the list.
item() { # GROUP ARTIFACT VERSION TYPE CLASSIFIER DIR NAME
	printf '<artifactItem><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version><type>%s</type><classifier>%s</classifier><outputDirectory>%s</outputDirectory><destFileName>%s</destFileName></artifactItem>\n' "$@"
}
cat >"$tmp/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId><artifactId>jvm-plugins</artifactId><version>0</version><packaging>pom</packaging>
  <build><plugins><plugin>
    <groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.6.1</version>
    <configuration><artifactItems>
$(item com.google.protobuf protoc "$protobuf" exe "$platform" "$tmp/bin" protoc)
$(item io.grpc protoc-gen-grpc-java "$grpc" exe "$platform" "$tmp/bin" protoc-gen-grpc-java)
$(item io.grpc protoc-gen-grpc-kotlin "$grpckt" jar jdk8 "$tmp" protoc-gen-grpc-kotlin.jar)
    </artifactItems></configuration>
  </plugin></plugins></build>
</project>
POM
if ! mvn -B -q -Dstyle.color=never -f "$tmp/pom.xml" dependency:copy >"$tmp/mvn.log" 2>&1; then
	echo "jvm-plugins: Maven could not fetch them:" >&2
	cat "$tmp/mvn.log" >&2
	exit 1
fi
rm -f "$tmp/pom.xml" "$tmp/mvn.log"
chmod 755 "$tmp" "$tmp/bin/protoc" "$tmp/bin/protoc-gen-grpc-java"
echo "$want" >"$tmp/versions"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
