/** Every GraphQL operation the dashboard sends, written against apps/gateway/schema.graphql. */

const JOB_FIELDS = `
  id name status backend splitMode splitSize numTaskManagers
  totalInputs done failed createdAt startedAt endedAt
`;

const PROGRESS_FIELDS = `
  jobId name status backend totalInputs done failed
  splits { total pending running done failed }
  imagesPerSecond etaSeconds activeTaskManagers medianSplitMs
  stuckSplits { splitId ordinal attemptId taskManagerId speculative ageMs medianSplitMs leaseExpiresInMs reason }
  errorsByCode { code count }
  createdAt startedAt endedAt
`;

export const JOBS_QUERY = `
  query DashboardJobs($filter: JobFilter, $first: Int!, $after: String) {
    jobs(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ${JOB_FIELDS} progress { imagesPerSecond } }
    }
  }
`;

export const JOB_QUERY = `
  query DashboardJob($id: ID!, $bucketSeconds: Int!) {
    job(id: $id) {
      ${JOB_FIELDS}
      settings
      errorsByCode { code count }
      progress { ${PROGRESS_FIELDS} }
      throughput(bucketSeconds: $bucketSeconds) { t items }
      taskManagers { id status coldStart items busyMs idleMs startedAt endedAt }
      splits {
        id ordinal status firstIndex size retries
        attempts { id splitId taskManagerId status speculative startedAt endedAt leaseExpiresAt }
      }
    }
  }
`;

export const JOB_PROGRESS_SUBSCRIPTION = `
  subscription DashboardJobProgress($jobId: ID!) {
    jobProgress(jobId: $jobId) { ${PROGRESS_FIELDS} }
  }
`;

export const RESULTS_QUERY = `
  query DashboardResults($jobId: ID!, $filter: ResultFilter, $first: Int!, $after: String) {
    results(jobId: $jobId, filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { inputIndex input label probabilities errorCode errorMessage createdAt }
    }
  }
`;

/** Header of the results page: totals for the filters. */
export const RESULTS_HEADER_QUERY = `
  query DashboardResultsHeader($id: ID!) {
    job(id: $id) {
      ${JOB_FIELDS}
      errorsByCode { code count }
    }
  }
`;

export const SUBMIT_JOB_MUTATION = `
  mutation DashboardSubmitJob($input: SubmitJobInput!) {
    submitJob(input: $input) { id name status }
  }
`;

export const CANCEL_JOB_MUTATION = `
  mutation DashboardCancelJob($id: ID!) {
    cancelJob(id: $id) { id status }
  }
`;
