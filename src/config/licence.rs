//! `[licence]`: the ASF checks a voter is asked to make (licence headers, compiled code,
//! LICENSE and NOTICE, the SBOM).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Licence {
    /// Run the licence audit, compiled-code, LICENSE/NOTICE and SBOM checks.
    pub enabled: bool,
    /// The RAT-style exclusions file (one glob a line, `#` comments), relative to the top
    /// directory of the release (and the project root); empty: none. A glob without `/`
    /// matches a file name at any depth; with `/`, the path from the top directory; a
    /// trailing `/` or `/**` a whole directory.
    pub exclusions_file: String,
    /// More globs excluded from the audit, as in the exclusions file.
    pub exclude: Vec<String>,
    /// SPDX ids accepted besides the ASF's Category A.
    pub approved: Vec<String>,
    /// The project is an ASF project: NOTICE must carry the ASF attribution line.
    pub asf: bool,
    /// stage-rc writes a CycloneDX SBOM beside the tarball (signed and checksummed like it)
    /// and publish-dist promotes it.
    pub sbom: bool,
}

impl Default for Licence {
    fn default() -> Self {
        Licence {
            enabled: true,
            exclusions_file: String::new(),
            exclude: Vec::new(),
            approved: Vec::new(),
            asf: true,
            sbom: false,
        }
    }
}
