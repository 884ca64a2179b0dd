package model

// Ecosystem names a package ecosystem with OSV's spelling of its base name
// ("Debian", "PyPI", "crates.io"). A distribution release is not part of the
// ecosystem; it lives in OS.Release and is joined by OSVEcosystem.
type Ecosystem string

// The ecosystems vigil knows. Their strings are OSV's ecosystem names.
const (
	EcosystemDebian     Ecosystem = "Debian"
	EcosystemUbuntu     Ecosystem = "Ubuntu"
	EcosystemAlpine     Ecosystem = "Alpine"
	EcosystemRedHat     Ecosystem = "Red Hat"
	EcosystemRocky      Ecosystem = "Rocky Linux"
	EcosystemAlmaLinux  Ecosystem = "AlmaLinux"
	EcosystemSUSE       Ecosystem = "SUSE"
	EcosystemOpenSUSE   Ecosystem = "openSUSE"
	EcosystemWolfi      Ecosystem = "Wolfi"
	EcosystemChainguard Ecosystem = "Chainguard"
	EcosystemMariner    Ecosystem = "Azure Linux"
	EcosystemAmazon     Ecosystem = "Amazon Linux"
	EcosystemOracle     Ecosystem = "Oracle Linux"
	EcosystemFedora     Ecosystem = "Fedora"
	EcosystemGo         Ecosystem = "Go"
	EcosystemPyPI       Ecosystem = "PyPI"
	EcosystemNPM        Ecosystem = "npm"
	EcosystemMaven      Ecosystem = "Maven"
	EcosystemCrates     Ecosystem = "crates.io"
	EcosystemRubyGems   Ecosystem = "RubyGems"
	EcosystemPackagist  Ecosystem = "Packagist"
	EcosystemNuGet      Ecosystem = "NuGet"
	EcosystemHex        Ecosystem = "Hex"
	EcosystemPub        Ecosystem = "Pub"
)

// FeedEcosystems lists the OSV ecosystems whose all.zip vigil can download,
// in the order `vigil db status` shows them.
var FeedEcosystems = []Ecosystem{
	EcosystemDebian, EcosystemUbuntu, EcosystemAlpine, EcosystemRedHat,
	EcosystemRocky, EcosystemAlmaLinux, EcosystemSUSE, EcosystemGo,
	EcosystemPyPI, EcosystemNPM, EcosystemMaven, EcosystemCrates,
	EcosystemRubyGems, EcosystemPackagist, EcosystemNuGet, EcosystemHex,
	EcosystemPub,
}

// PackageManager says which kind of package database or manifest a package
// came from, in Inspector's vocabulary (OS, NPM, PIP, GOBINARY, JAR, …).
type PackageManager string

// Package managers, as Inspector's PackageManager enum spells them.
const (
	ManagerOS       PackageManager = "OS"
	ManagerNPM      PackageManager = "NPM"
	ManagerYarn     PackageManager = "YARN"
	ManagerPNPM     PackageManager = "PNPM"
	ManagerNodePkg  PackageManager = "NODEPKG"
	ManagerPip      PackageManager = "PIP"
	ManagerPipenv   PackageManager = "PIPENV"
	ManagerPoetry   PackageManager = "POETRY"
	ManagerUV       PackageManager = "UV"
	ManagerPython   PackageManager = "PYTHONPKG"
	ManagerGoMod    PackageManager = "GOMOD"
	ManagerGoBinary PackageManager = "GOBINARY"
	ManagerJar      PackageManager = "JAR"
	ManagerPOM      PackageManager = "POM"
	ManagerGradle   PackageManager = "GRADLE"
	ManagerCargo    PackageManager = "CARGO"
	ManagerBundler  PackageManager = "BUNDLER"
	ManagerGemspec  PackageManager = "GEMSPEC"
	ManagerComposer PackageManager = "COMPOSER"
	ManagerNuGet    PackageManager = "NUGET"
	ManagerDotnet   PackageManager = "DOTNET_CORE"
	ManagerSBOM     PackageManager = "SBOM"
)
