package osinfo

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

const osReleaseDir = "../../../../shared/testdata/pkgdb/os-release"

// golden lists every file in pkgdb/os-release with the OS it describes. Each
// row was checked by reading the file: ID, VERSION_ID, VERSION_CODENAME (or
// the codename in VERSION for older Debian and Ubuntu) and PRETTY_NAME are
// copied from it; Ecosystem and Release follow OSV's ecosystem names.
var golden = []struct {
	file string
	want model.OS
}{
	{"almalinux-8.4.os-release", model.OS{ID: "almalinux", VersionID: "8.4", PrettyName: "AlmaLinux 8.4 (Electric Cheetah)", Ecosystem: "AlmaLinux", Release: "8"}},
	{"alpine-3.10.9.os-release", model.OS{ID: "alpine", VersionID: "3.10.9", PrettyName: "Alpine Linux v3.10", Ecosystem: "Alpine", Release: "v3.10"}},
	{"alpine-3.11.13.os-release", model.OS{ID: "alpine", VersionID: "3.11.13", PrettyName: "Alpine Linux v3.11", Ecosystem: "Alpine", Release: "v3.11"}},
	{"alpine-3.11.6.os-release", model.OS{ID: "alpine", VersionID: "3.11.6", PrettyName: "Alpine Linux v3.11", Ecosystem: "Alpine", Release: "v3.11"}},
	{"alpine-3.12.9.os-release", model.OS{ID: "alpine", VersionID: "3.12.9", PrettyName: "Alpine Linux v3.12", Ecosystem: "Alpine", Release: "v3.12"}},
	{"alpine-3.13.7.os-release", model.OS{ID: "alpine", VersionID: "3.13.7", PrettyName: "Alpine Linux v3.13", Ecosystem: "Alpine", Release: "v3.13"}},
	{"alpine-3.14.3.os-release", model.OS{ID: "alpine", VersionID: "3.14.3", PrettyName: "Alpine Linux v3.14", Ecosystem: "Alpine", Release: "v3.14"}},
	{"alpine-3.15.0.os-release", model.OS{ID: "alpine", VersionID: "3.15.0", PrettyName: "Alpine Linux v3.15", Ecosystem: "Alpine", Release: "v3.15"}},
	{"alpine-3.16.0.os-release", model.OS{ID: "alpine", VersionID: "3.16.0", PrettyName: "Alpine Linux v3.16", Ecosystem: "Alpine", Release: "v3.16"}},
	{"alpine-3.17.5.os-release", model.OS{ID: "alpine", VersionID: "3.17.5", PrettyName: "Alpine Linux v3.17", Ecosystem: "Alpine", Release: "v3.17"}},
	{"alpine-3.18.4.os-release", model.OS{ID: "alpine", VersionID: "3.18.4", PrettyName: "Alpine Linux v3.18", Ecosystem: "Alpine", Release: "v3.18"}},
	{"alpine-3.19_alpha20230901.os-release", model.OS{ID: "alpine", VersionID: "3.19_alpha20230901", PrettyName: "Alpine Linux edge", Ecosystem: "Alpine", Release: "v3.19"}},
	{"alpine-3.3.3.os-release", model.OS{ID: "alpine", VersionID: "3.3.3", PrettyName: "Alpine Linux v3.3", Ecosystem: "Alpine", Release: "v3.3"}},
	{"alpine-3.4.6.os-release", model.OS{ID: "alpine", VersionID: "3.4.6", PrettyName: "Alpine Linux v3.4", Ecosystem: "Alpine", Release: "v3.4"}},
	{"alpine-3.5.3.os-release", model.OS{ID: "alpine", VersionID: "3.5.3", PrettyName: "Alpine Linux v3.5", Ecosystem: "Alpine", Release: "v3.5"}},
	{"alpine-3.6.5.os-release", model.OS{ID: "alpine", VersionID: "3.6.5", PrettyName: "Alpine Linux v3.6", Ecosystem: "Alpine", Release: "v3.6"}},
	{"alpine-3.7.3.os-release", model.OS{ID: "alpine", VersionID: "3.7.3", PrettyName: "Alpine Linux v3.7", Ecosystem: "Alpine", Release: "v3.7"}},
	{"alpine-3.8.5.os-release", model.OS{ID: "alpine", VersionID: "3.8.5", PrettyName: "Alpine Linux v3.8", Ecosystem: "Alpine", Release: "v3.8"}},
	{"alpine-3.9.6.os-release", model.OS{ID: "alpine", VersionID: "3.9.6", PrettyName: "Alpine Linux v3.9", Ecosystem: "Alpine", Release: "v3.9"}},
	{"amzn-2.os-release", model.OS{ID: "amzn", VersionID: "2", PrettyName: "Amazon Linux 2", Ecosystem: "Amazon Linux", Release: "2"}},
	{"arch-noversion.os-release", model.OS{ID: "arch", VersionID: "", PrettyName: "Arch Linux", Unknown: true}},
	{"centos-8.os-release", model.OS{ID: "centos", VersionID: "8", PrettyName: "CentOS Linux 8 (Core)", Ecosystem: "Red Hat", Release: "8"}},
	{"custom-scientific-8.os-release", model.OS{ID: "scientific", VersionID: "8", PrettyName: "CentOS Linux 8 (Core)", Ecosystem: "Red Hat", Release: "8"}},
	{"debian-10-distroless.os-release", model.OS{ID: "debian", VersionID: "10", Codename: "buster", PrettyName: "Distroless", Ecosystem: "Debian", Release: "10"}},
	{"debian-10.os-release", model.OS{ID: "debian", VersionID: "10", Codename: "buster", PrettyName: "Debian GNU/Linux 10 (buster)", Ecosystem: "Debian", Release: "10"}},
	{"debian-11-distroless.os-release", model.OS{ID: "debian", VersionID: "11", Codename: "bullseye", PrettyName: "Distroless", Ecosystem: "Debian", Release: "11"}},
	{"debian-11.os-release", model.OS{ID: "debian", VersionID: "11", Codename: "bullseye", PrettyName: "Debian GNU/Linux 11 (bullseye)", Ecosystem: "Debian", Release: "11"}},
	{"debian-12.os-release", model.OS{ID: "debian", VersionID: "12", Codename: "bookworm", PrettyName: "Debian GNU/Linux 12 (bookworm)", Ecosystem: "Debian", Release: "12"}},
	{"debian-13.os-release", model.OS{ID: "debian", VersionID: "13", Codename: "trixie", PrettyName: "Debian GNU/Linux 13 (trixie)", Ecosystem: "Debian", Release: "13"}},
	{"debian-7.os-release", model.OS{ID: "debian", VersionID: "7", Codename: "wheezy", PrettyName: "Debian GNU/Linux 7 (wheezy)", Ecosystem: "Debian", Release: "7"}},
	{"debian-8.os-release", model.OS{ID: "debian", VersionID: "8", Codename: "jessie", PrettyName: "Debian GNU/Linux 8 (jessie)", Ecosystem: "Debian", Release: "8"}},
	{"debian-9-distroless.os-release", model.OS{ID: "debian", VersionID: "9", Codename: "stretch", PrettyName: "Distroless", Ecosystem: "Debian", Release: "9"}},
	{"debian-9.os-release", model.OS{ID: "debian", VersionID: "9", Codename: "stretch", PrettyName: "Debian GNU/Linux 9 (stretch)", Ecosystem: "Debian", Release: "9"}},
	{"debian-noversion.os-release", model.OS{ID: "debian", VersionID: "", PrettyName: "Distroless", Ecosystem: "Debian"}},
	{"fedora-36.os-release", model.OS{ID: "fedora", VersionID: "36", PrettyName: "Fedora Linux 36 (Container Image)", Ecosystem: "Fedora", Release: "36"}},
	{"hummingbird-20251124.os-release", model.OS{ID: "hummingbird", VersionID: "20251124", PrettyName: "Hummingbird OS 20251124", Unknown: true}},
	{"mariner-1.0.os-release", model.OS{ID: "mariner", VersionID: "1.0", PrettyName: "CBL-Mariner/Linux", Ecosystem: "Azure Linux", Release: "1"}},
	{"ol-8.3.os-release", model.OS{ID: "ol", VersionID: "8.3", PrettyName: "Oracle Linux Server 8.3", Ecosystem: "Oracle Linux", Release: "8"}},
	{"opensuse-leap-15.2.os-release", model.OS{ID: "opensuse-leap", VersionID: "15.2", PrettyName: "openSUSE Leap 15.2", Ecosystem: "openSUSE", Release: "Leap 15.2"}},
	{"photon-2.0.os-release", model.OS{ID: "photon", VersionID: "2.0", PrettyName: "VMware Photon OS/Linux", Ecosystem: "Photon OS", Release: "2.0"}},
	{"rhel-7.3.os-release", model.OS{ID: "rhel", VersionID: "7.3", PrettyName: "Red Hat Enterprise Linux Server 7.3 (Maipo)", Ecosystem: "Red Hat", Release: "7"}},
	{"rhel-7.7.os-release", model.OS{ID: "rhel", VersionID: "7.7", PrettyName: "Red Hat Enterprise Linux Server 7.7 (Maipo)", Ecosystem: "Red Hat", Release: "7"}},
	{"rhel-7.9-atomichost.os-release", model.OS{ID: "rhel", VersionID: "7.9", PrettyName: "Red Hat Enterprise Linux Atomic Host 7.9", Ecosystem: "Red Hat", Release: "7"}},
	{"rhel-8.1.os-release", model.OS{ID: "rhel", VersionID: "8.1", PrettyName: "Red Hat Enterprise Linux 8.1 (Ootpa)", Ecosystem: "Red Hat", Release: "8"}},
	{"rhel-9.0.os-release", model.OS{ID: "rhel", VersionID: "9.0", PrettyName: "Red Hat Enterprise Linux 9.0 (Plow)", Ecosystem: "Red Hat", Release: "9"}},
	{"rocky-8.4.os-release", model.OS{ID: "rocky", VersionID: "8.4", PrettyName: "Rocky Linux 8.4 (Green Obsidian)", Ecosystem: "Rocky Linux", Release: "8"}},
	{"scientific-7.5.os-release", model.OS{ID: "scientific", VersionID: "7.5", PrettyName: "Scientific Linux 7.5 (Nitrogen)", Ecosystem: "Red Hat", Release: "7"}},
	{"sles-15.2.os-release", model.OS{ID: "sles", VersionID: "15.2", PrettyName: "SUSE Linux Enterprise Server 15 SP2", Ecosystem: "SUSE", Release: "Linux Enterprise Server 15 SP2"}},
	{"ubuntu-12.04.os-release", model.OS{ID: "ubuntu", VersionID: "12.04", Codename: "precise", PrettyName: "Ubuntu precise (12.04.5 LTS)", Ecosystem: "Ubuntu", Release: "12.04:LTS"}},
	{"ubuntu-12.10.os-release", model.OS{ID: "ubuntu", VersionID: "12.10", Codename: "quantal", PrettyName: "Ubuntu quantal (12.10)", Ecosystem: "Ubuntu", Release: "12.10"}},
	{"ubuntu-13.04.os-release", model.OS{ID: "ubuntu", VersionID: "13.04", Codename: "raring", PrettyName: "Ubuntu 13.04", Ecosystem: "Ubuntu", Release: "13.04"}},
	{"ubuntu-13.10.os-release", model.OS{ID: "ubuntu", VersionID: "13.10", Codename: "saucy", PrettyName: "Ubuntu 13.10", Ecosystem: "Ubuntu", Release: "13.10"}},
	{"ubuntu-14.04.os-release", model.OS{ID: "ubuntu", VersionID: "14.04", Codename: "trusty", PrettyName: "Ubuntu 14.04.6 LTS", Ecosystem: "Ubuntu", Release: "14.04:LTS"}},
	{"ubuntu-14.10.os-release", model.OS{ID: "ubuntu", VersionID: "14.10", Codename: "utopic", PrettyName: "Ubuntu 14.10", Ecosystem: "Ubuntu", Release: "14.10"}},
	{"ubuntu-15.04.os-release", model.OS{ID: "ubuntu", VersionID: "15.04", Codename: "vivid", PrettyName: "Ubuntu 15.04", Ecosystem: "Ubuntu", Release: "15.04"}},
	{"ubuntu-15.10.os-release", model.OS{ID: "ubuntu", VersionID: "15.10", Codename: "wily", PrettyName: "Ubuntu 15.10", Ecosystem: "Ubuntu", Release: "15.10"}},
	{"ubuntu-16.04.os-release", model.OS{ID: "ubuntu", VersionID: "16.04", Codename: "xenial", PrettyName: "Ubuntu 16.04.7 LTS", Ecosystem: "Ubuntu", Release: "16.04:LTS"}},
	{"ubuntu-16.10.os-release", model.OS{ID: "ubuntu", VersionID: "16.10", Codename: "yakkety", PrettyName: "Ubuntu 16.10", Ecosystem: "Ubuntu", Release: "16.10"}},
	{"ubuntu-17.04.os-release", model.OS{ID: "ubuntu", VersionID: "17.04", Codename: "zesty", PrettyName: "Ubuntu 17.04", Ecosystem: "Ubuntu", Release: "17.04"}},
	{"ubuntu-17.10.os-release", model.OS{ID: "ubuntu", VersionID: "17.10", Codename: "artful", PrettyName: "Ubuntu 17.10", Ecosystem: "Ubuntu", Release: "17.10"}},
	{"ubuntu-18.04.os-release", model.OS{ID: "ubuntu", VersionID: "18.04", Codename: "bionic", PrettyName: "Ubuntu 18.04.6 LTS", Ecosystem: "Ubuntu", Release: "18.04:LTS"}},
	{"ubuntu-18.10.os-release", model.OS{ID: "ubuntu", VersionID: "18.10", Codename: "cosmic", PrettyName: "Ubuntu 18.10", Ecosystem: "Ubuntu", Release: "18.10"}},
	{"ubuntu-19.04.os-release", model.OS{ID: "ubuntu", VersionID: "19.04", Codename: "disco", PrettyName: "Ubuntu 19.04", Ecosystem: "Ubuntu", Release: "19.04"}},
	{"ubuntu-19.10.os-release", model.OS{ID: "ubuntu", VersionID: "19.10", Codename: "eoan", PrettyName: "Ubuntu 19.10", Ecosystem: "Ubuntu", Release: "19.10"}},
	{"ubuntu-20.04-2.os-release", model.OS{ID: "ubuntu", VersionID: "20.04", Codename: "focal", PrettyName: "Ubuntu 20.04.4 LTS", Ecosystem: "Ubuntu", Release: "20.04:LTS"}},
	{"ubuntu-20.04.os-release", model.OS{ID: "ubuntu", VersionID: "20.04", Codename: "focal", PrettyName: "Ubuntu 20.04 LTS", Ecosystem: "Ubuntu", Release: "20.04:LTS"}},
	{"ubuntu-20.10.os-release", model.OS{ID: "ubuntu", VersionID: "20.10", Codename: "groovy", PrettyName: "Ubuntu 20.10", Ecosystem: "Ubuntu", Release: "20.10"}},
	{"ubuntu-21.04.os-release", model.OS{ID: "ubuntu", VersionID: "21.04", Codename: "hirsute", PrettyName: "Ubuntu 21.04", Ecosystem: "Ubuntu", Release: "21.04"}},
	{"ubuntu-21.10.os-release", model.OS{ID: "ubuntu", VersionID: "21.10", Codename: "impish", PrettyName: "Ubuntu 21.10", Ecosystem: "Ubuntu", Release: "21.10"}},
	{"ubuntu-22.04.os-release", model.OS{ID: "ubuntu", VersionID: "22.04", Codename: "jammy", PrettyName: "Ubuntu 22.04 LTS", Ecosystem: "Ubuntu", Release: "22.04:LTS"}},
	{"ubuntu-22.10.os-release", model.OS{ID: "ubuntu", VersionID: "22.10", Codename: "kinetic", PrettyName: "Ubuntu Kinetic Kudu (development branch)", Ecosystem: "Ubuntu", Release: "22.10"}},
	{"ubuntu-23.04.os-release", model.OS{ID: "ubuntu", VersionID: "23.04", Codename: "lunar", PrettyName: "Ubuntu 23.04", Ecosystem: "Ubuntu", Release: "23.04"}},
	{"ubuntu-23.10.os-release", model.OS{ID: "ubuntu", VersionID: "23.10", Codename: "mantic", PrettyName: "Ubuntu Mantic Minotaur (development branch)", Ecosystem: "Ubuntu", Release: "23.10"}},
	{"wolfi-20220914.os-release", model.OS{ID: "wolfi", VersionID: "20220914", PrettyName: "Wolfi", Ecosystem: "Wolfi"}},
}

func TestDetectOSReleaseGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(osReleaseDir, "*.os-release"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(golden) {
		t.Errorf("%d os-release files on disk, %d golden rows: every file needs a row", len(files), len(golden))
	}
	for _, tc := range golden {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(osReleaseDir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{PathOSRelease, PathUsrOSRelease} {
				got := Detect(map[string][]byte{p: data})
				if got == nil {
					t.Fatalf("%s: Detect = nil", p)
				}
				if diff := cmp.Diff(tc.want, *got); diff != "" {
					t.Errorf("%s: Detect mismatch (-want +got):\n%s", p, diff)
				}
			}
		})
	}
}
