package osinfo

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

func readRelease(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(osReleaseDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDetectCombinations(t *testing.T) {
	debian12 := readRelease(t, "debian-12.os-release")
	distroless := readRelease(t, "debian-noversion.os-release")
	ubuntu := readRelease(t, "ubuntu-22.04.os-release")
	tests := []struct {
		name  string
		files map[string][]byte
		want  *model.OS
	}{
		{"nothing", map[string][]byte{}, nil},
		{"unrelated file", map[string][]byte{"/etc/hostname": []byte("x")}, nil},
		{
			"distroless status.d without status",
			map[string][]byte{
				"/etc/os-release":                   debian12,
				"/var/lib/dpkg/status.d/base-files": nil,
			},
			&model.OS{ID: "debian", VersionID: "12", Codename: "bookworm", PrettyName: "Debian GNU/Linux 12 (bookworm)", Ecosystem: model.EcosystemDebian, Release: "12", Distroless: true},
		},
		{
			"status and status.d is not distroless",
			map[string][]byte{
				"/etc/os-release":                   debian12,
				"/var/lib/dpkg/status":              nil,
				"/var/lib/dpkg/status.d/base-files": nil,
			},
			&model.OS{ID: "debian", VersionID: "12", Codename: "bookworm", PrettyName: "Debian GNU/Linux 12 (bookworm)", Ecosystem: model.EcosystemDebian, Release: "12"},
		},
		{
			"debian without VERSION_ID uses debian_version",
			map[string][]byte{"etc/os-release": distroless, "etc/debian_version": []byte("11.8\n")},
			&model.OS{ID: "debian", VersionID: "11.8", PrettyName: "Distroless", Ecosystem: model.EcosystemDebian, Release: "11"},
		},
		{
			"debian testing",
			map[string][]byte{"/etc/os-release": distroless, "/etc/debian_version": []byte("trixie/sid\n")},
			&model.OS{ID: "debian", Codename: "trixie", PrettyName: "Distroless", Ecosystem: model.EcosystemDebian, Release: "13"},
		},
		{
			"ubuntu ignores its debian_version",
			map[string][]byte{"/etc/os-release": ubuntu, "/etc/debian_version": []byte("bookworm/sid\n")},
			&model.OS{ID: "ubuntu", VersionID: "22.04", Codename: "jammy", PrettyName: "Ubuntu 22.04 LTS", Ecosystem: model.EcosystemUbuntu, Release: "22.04:LTS"},
		},
		{
			"etc wins over usr lib",
			map[string][]byte{"/etc/os-release": ubuntu, "/usr/lib/os-release": debian12},
			&model.OS{ID: "ubuntu", VersionID: "22.04", Codename: "jammy", PrettyName: "Ubuntu 22.04 LTS", Ecosystem: model.EcosystemUbuntu, Release: "22.04:LTS"},
		},
		{
			"alpine-release only",
			map[string][]byte{"/etc/alpine-release": []byte("3.18.4\n")},
			&model.OS{ID: "alpine", VersionID: "3.18.4", Ecosystem: model.EcosystemAlpine, Release: "v3.18"},
		},
		{
			"lsb-release only",
			map[string][]byte{"/etc/lsb-release": []byte("DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=24.10\nDISTRIB_CODENAME=oracular\nDISTRIB_DESCRIPTION=\"Ubuntu 24.10\"\n")},
			&model.OS{ID: "ubuntu", VersionID: "24.10", Codename: "oracular", PrettyName: "Ubuntu 24.10", Ecosystem: model.EcosystemUbuntu, Release: "24.10"},
		},
		{
			"redhat-release only",
			map[string][]byte{"/etc/redhat-release": []byte("Red Hat Enterprise Linux Server release 7.9 (Maipo)\n")},
			&model.OS{ID: "rhel", VersionID: "7.9", PrettyName: "Red Hat Enterprise Linux Server release 7.9 (Maipo)", Ecosystem: model.EcosystemRedHat, Release: "7"},
		},
		{
			"system-release amazon",
			map[string][]byte{"/etc/system-release": []byte("Amazon Linux release 2023 (Amazon Linux)\n")},
			&model.OS{ID: "amzn", VersionID: "2023", PrettyName: "Amazon Linux release 2023 (Amazon Linux)", Ecosystem: model.EcosystemAmazon, Release: "2023"},
		},
		{
			"centos-release",
			map[string][]byte{"/etc/centos-release": []byte("CentOS Linux release 7.9.2009 (Core)\n")},
			&model.OS{ID: "centos", VersionID: "7.9.2009", PrettyName: "CentOS Linux release 7.9.2009 (Core)", Ecosystem: model.EcosystemRedHat, Release: "7"},
		},
		{
			"SuSE-release SLES 12 SP3",
			map[string][]byte{"/etc/SuSE-release": []byte("SUSE Linux Enterprise Server 12 (x86_64)\nVERSION = 12\nPATCHLEVEL = 3\n")},
			&model.OS{ID: "sles", VersionID: "12.3", PrettyName: "SUSE Linux Enterprise Server 12 (x86_64)", Ecosystem: model.EcosystemSUSE, Release: "Linux Enterprise Server 12 SP3"},
		},
		{
			"debian_version only",
			map[string][]byte{"/etc/debian_version": []byte("10.13\n")},
			&model.OS{ID: "debian", VersionID: "10.13", Ecosystem: model.EcosystemDebian, Release: "10"},
		},
		{
			"dpkg status only",
			map[string][]byte{"/var/lib/dpkg/status": nil},
			&model.OS{Unknown: true},
		},
		{
			"os-release without ID falls back",
			map[string][]byte{"/etc/os-release": []byte("NAME=x\n"), "/etc/alpine-release": []byte("3.9.6")},
			&model.OS{ID: "alpine", VersionID: "3.9.6", Ecosystem: model.EcosystemAlpine, Release: "v3.9"},
		},
		{
			"quoting and comments",
			map[string][]byte{"/etc/os-release": []byte("# comment\nID='chainguard'\nPRETTY_NAME=\"Chain\\\"guard\"\n")},
			&model.OS{ID: "chainguard", PrettyName: `Chain"guard`, Ecosystem: model.EcosystemChainguard},
		},
		{
			"opensuse tumbleweed",
			map[string][]byte{"/etc/os-release": []byte("ID=\"opensuse-tumbleweed\"\nVERSION_ID=\"20240801\"\n")},
			&model.OS{ID: "opensuse-tumbleweed", VersionID: "20240801", Ecosystem: model.EcosystemOpenSUSE, Release: "Tumbleweed"},
		},
		{
			"azure linux 3",
			map[string][]byte{"/etc/os-release": []byte("ID=azurelinux\nVERSION_ID=\"3.0\"\n")},
			&model.OS{ID: "azurelinux", VersionID: "3.0", Ecosystem: model.EcosystemMariner, Release: "3"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Detect(tc.files)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Detect mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRequired(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"/etc/os-release", true},
		{"etc/os-release", true},
		{"/usr/lib/os-release", true},
		{"/etc/alpine-release", true},
		{"/etc/debian_version", true},
		{"/etc/redhat-release", true},
		{"/etc/system-release", true},
		{"/etc/centos-release", true},
		{"/etc/lsb-release", true},
		{"/etc/SuSE-release", true},
		{"/var/lib/dpkg/status", true},
		{"/var/lib/dpkg/status.d/libc6", true},
		{"/var/lib/dpkg/status.d/", false},
		{"/var/lib/dpkg/status.d/a/b", false},
		{"/var/lib/dpkg/status-old", false},
		{"/etc/os-release.bak", false},
		{"/opt/etc/os-release", false},
	}
	for _, tc := range tests {
		if got := Required(tc.path); got != tc.want {
			t.Errorf("Required(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

func FuzzDetect(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(osReleaseDir, "*.os-release"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(0))
	}
	f.Add([]byte("SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n"), uint8(6))
	f.Add([]byte("Red Hat Enterprise Linux release 8.6 (Ootpa)\n"), uint8(3))
	paths := []string{PathOSRelease, PathAlpineRelease, PathDebianVersion, PathRedHatRelease,
		PathSystemRelease, PathLSBRelease, PathSuSERelease, PathCentOSRelease}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		p := paths[int(which)%len(paths)]
		o := Detect(map[string][]byte{p: data})
		if o != nil && o.Ecosystem == "" && !o.Unknown {
			t.Errorf("OS without ecosystem not marked unknown: %+v", o)
		}
	})
}
