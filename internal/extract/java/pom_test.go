package java

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

func pom(g, a, v string, dev bool) model.Package {
	p := newPackage(g, a, v, model.ManagerPOM)
	p.Dev = dev
	return p
}

// Expected sets read by hand from each pom.xml.
func TestPomRealFiles(t *testing.T) {
	tests := []struct {
		file       string
		want       []model.Package
		unresolved []string
	}{
		{
			// ${api.version} from <properties>; runtime and provided scopes kept.
			file: "pom-happy/pom.xml",
			want: []model.Package{
				pom("org.example", "example-api", "1.7.30", false),
				pom("org.example", "example-runtime", "1.0.0", false),
				pom("org.example", "example-provided", "999", false),
			},
		},
		{
			// ${junit.version} from <properties>; test scope is Dev; plugins are not dependencies.
			file: "pom/pom.xml",
			want: []model.Package{
				pom("javax.servlet", "javax.servlet-api", "4.0.1", false),
				pom("org.junit.jupiter", "junit-jupiter-api", "5.7.1", true),
				pom("org.junit.jupiter", "junit-jupiter-engine", "5.7.1", true),
				pom("com.fasterxml.jackson.core", "jackson-databind", "2.9.1", false),
			},
		},
		{
			file: "pom-parent-properties/pom.xml",
			want: []model.Package{pom("org.example", "example-api", "2.2.2", false)},
		},
		{
			// ${api.version} is defined only in the parent, which is not fetched.
			file:       "pom-parent-properties/child/pom.xml",
			unresolved: []string{"org.example:example-api@${api.version}"},
		},
		{
			// The version comes from an imported BOM, which is not fetched;
			// the import itself is not a dependency.
			file:       "pom-import-dependency-management/pom.xml",
			unresolved: []string{"org.example:example-api"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, err := NewPom().Extract(context.Background(), input(t, "/src/"+tc.file, readFile(t, pkgdb+tc.file)))
			var ue *UnresolvedError
			if tc.unresolved == nil && err != nil {
				t.Fatal(err)
			}
			if tc.unresolved != nil {
				if !errors.As(err, &ue) {
					t.Fatalf("err = %v, want UnresolvedError", err)
				}
				if diff := cmp.Diff(tc.unresolved, ue.Dependencies); diff != "" {
					t.Errorf("unresolved (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestPomResolution covers dependencyManagement and project/parent
// coordinates on a pom derived from the real pom-happy/pom.xml.
func TestPomResolution(t *testing.T) {
	data := []byte(`<project>
  <groupId>com.example</groupId><artifactId>happy</artifactId>
  <parent><groupId>com.example</groupId><artifactId>parent</artifactId><version>1.0.0</version></parent>
  <properties><api.version>1.7.30</api.version><alias>${api.version}</alias><loop>${loop}${loop}</loop></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>org.example</groupId><artifactId>example-runtime</artifactId><version>${alias}</version></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.example</groupId><artifactId>example-runtime</artifactId></dependency>
    <dependency><groupId>${project.groupId}</groupId><artifactId>sibling</artifactId><version>${project.version}</version></dependency>
    <dependency><groupId>org.example</groupId><artifactId>loop</artifactId><version>${loop}</version></dependency>
  </dependencies>
</project>`)
	got, err := NewPom().Extract(context.Background(), input(t, "/pom.xml", data))
	want := []model.Package{
		pom("org.example", "example-runtime", "1.7.30", false),
		pom("com.example", "sibling", "1.0.0", false),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var ue *UnresolvedError
	if !errors.As(err, &ue) || len(ue.Dependencies) != 1 {
		t.Errorf("err = %v, want one unresolved", err)
	}
}

func TestPomMalformed(t *testing.T) {
	_, err := NewPom().Extract(context.Background(), input(t, "/pom.xml", []byte("<project><dependencies>")))
	var pe *extract.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want ParseError", err)
	}
}

func TestGradleLock(t *testing.T) {
	got, err := NewGradleLock().Extract(context.Background(), input(t, "/app/gradle.lockfile", readFile(t, "testdata/gradle.lockfile")))
	if err != nil {
		t.Fatal(err)
	}
	g := func(a, v string) model.Package {
		return newPackage("org.springframework.boot", a, v, model.ManagerGradle)
	}
	want := []model.Package{
		g("spring-boot-autoconfigure", "2.7.4"),
		g("spring-boot-configuration-processor", "2.7.5"),
		g("spring-boot-devtools", "2.7.6"),
		g("spring-boot-starter-aop", "2.7.7"),
		g("spring-boot-starter-data-jpa", "2.7.8"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if want[0].PURL != "pkg:maven/org.springframework.boot/spring-boot-autoconfigure@2.7.4" {
		t.Errorf("purl %q", want[0].PURL)
	}
}

func TestGradleTestOnlyIsDev(t *testing.T) {
	data := []byte("junit:junit:4.13.2=testCompileClasspath,testRuntimeClasspath\n" +
		"org.slf4j:slf4j-api:1.7.36=compileClasspath,testCompileClasspath\nempty=\n")
	got, err := NewGradleLock().Extract(context.Background(), input(t, "/gradle.lockfile", data))
	if err != nil {
		t.Fatal(err)
	}
	junit := newPackage("junit", "junit", "4.13.2", model.ManagerGradle)
	junit.Dev = true
	want := []model.Package{junit, newPackage("org.slf4j", "slf4j-api", "1.7.36", model.ManagerGradle)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestRequired(t *testing.T) {
	tests := []struct {
		e    extract.Extractor
		path string
		want bool
	}{
		{NewArchive(), "/app/a.jar", true},
		{NewArchive(), "/app/a.WAR", true},
		{NewArchive(), "/app/a.ear", true},
		{NewArchive(), "/app/a.zip", false},
		{NewPom(), "/src/pom.xml", true},
		{NewPom(), "/m2/x/y/1.0/y-1.0.pom", false},
		{NewPom(), "/a.jar!/META-INF/maven/g/a/pom.xml", false},
		{NewPom(), "/src/pom.xml.bak", false},
		{NewGradleLock(), "/src/gradle.lockfile", true},
		{NewGradleLock(), "/src/gradle/dependency-locks/compileClasspath.lockfile", true},
		{NewGradleLock(), "/src/other.lockfile", false},
	}
	for _, tc := range tests {
		if got := tc.e.Required(extract.FileInfo{Path: tc.path, Mode: 0o644}); got != tc.want {
			t.Errorf("%s.Required(%q) = %v, want %v", tc.e.Name(), tc.path, got, tc.want)
		}
	}
}

func FuzzPom(f *testing.F) {
	for _, n := range []string{"pom-happy/pom.xml", "pom/pom.xml", "pom-parent-properties/pom.xml",
		"pom-parent-properties/child/pom.xml", "pom-import-dependency-management/pom.xml"} {
		f.Add(readFile(f, pkgdb+n))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = NewPom().Extract(context.Background(), input(t, "/pom.xml", b))
	})
}

func FuzzGradleLock(f *testing.F) {
	f.Add(readFile(f, "testdata/gradle.lockfile"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = NewGradleLock().Extract(context.Background(), input(t, "/gradle.lockfile", b))
	})
}
