package list

import (
	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/extract/apk"
	"github.com/vigilsec/vigil/internal/extract/cargo"
	"github.com/vigilsec/vigil/internal/extract/composer"
	"github.com/vigilsec/vigil/internal/extract/dotnet"
	"github.com/vigilsec/vigil/internal/extract/dpkg"
	"github.com/vigilsec/vigil/internal/extract/gobinary"
	"github.com/vigilsec/vigil/internal/extract/gomod"
	"github.com/vigilsec/vigil/internal/extract/java"
	"github.com/vigilsec/vigil/internal/extract/npm"
	"github.com/vigilsec/vigil/internal/extract/python"
	"github.com/vigilsec/vigil/internal/extract/rpm"
	"github.com/vigilsec/vigil/internal/extract/ruby"
)

// All returns a fresh instance of every extractor, OS package databases
// first. The order is the order results and issues are reported in.
func All() []extract.Extractor {
	return []extract.Extractor{
		// OS package databases.
		dpkg.New(),
		apk.New(),
		rpm.New(),
		// Language ecosystems.
		npm.NewPackageLock(),
		npm.NewYarnLock(),
		npm.NewPNPMLock(),
		npm.NewNodePackage(),
		python.NewMetadata(),
		python.NewRequirements(),
		python.NewPoetryLock(),
		python.NewPipfileLock(),
		python.NewUVLock(),
		gobinary.New(),
		gomod.New(),
		java.NewArchive(),
		java.NewPom(),
		java.NewGradleLock(),
		cargo.NewLock(),
		cargo.NewAuditable(),
		ruby.NewGemfileLock(),
		ruby.NewGemspec(),
		composer.NewLock(),
		composer.NewInstalled(),
		dotnet.NewLock(),
		dotnet.NewDeps(),
	}
}

// ByName returns the extractors of All whose names are listed, in All's
// order, and the names that matched none.
func ByName(names ...string) (found []extract.Extractor, unknown []string) {
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	for _, ex := range All() {
		if want[ex.Name()] {
			found = append(found, ex)
			delete(want, ex.Name())
		}
	}
	for _, n := range names {
		if want[n] {
			unknown = append(unknown, n)
			delete(want, n)
		}
	}
	return found, unknown
}

// Names returns the names of All, in order.
func Names() []string {
	all := All()
	out := make([]string, len(all))
	for i, ex := range all {
		out[i] = ex.Name()
	}
	return out
}
