import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { ModelInfo, MethodInfo, ExplanationParent, HeatmapParent, ConnectionParent, EdgeParent, HealthInfo } from '../server/mappers.js';
import type { ImageRecord } from '../storage/types.js';
import type { ApiContext } from '../server/context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /**
   * saliency-explainer GraphQL API: upload images, compute class-activation heatmaps (Grad-CAM family)
   * with the same engine as the CLI and the widget, and read stored explanations back.
   *
   * Errors carry a stable `extensions.code`: BAD_IMAGE, IMAGE_TOO_LARGE, REQUEST_TOO_LARGE,
   * UNKNOWN_MODEL, UNKNOWN_METHOD, BAD_LAYER, BAD_CLASS, BAD_REQUEST, NOT_FOUND, BAD_CURSOR,
   * QUERY_TOO_DEEP, QUERY_TOO_COMPLEX, RATE_LIMITED, GRAPHQL_VALIDATION_FAILED, INTERNAL_SERVER_ERROR.
   */
  DateTime: { input: Date; output: Date; }
};

export type Colormap =
  | 'GRAY'
  | 'INFERNO'
  | 'JET'
  | 'TURBO'
  | 'VIRIDIS';

/** Counters since the server started. */
export type ComputeStats = {
  __typename?: 'ComputeStats';
  /** requests run in those batches */
  batchedRequests: Scalars['Int']['output'];
  /** micro-batches run (each one batched forward pass) */
  batches: Scalars['Int']['output'];
  /** joined an identical request already computing */
  coalesced: Scalars['Int']['output'];
  computedHeatmaps: Scalars['Int']['output'];
  explainRequests: Scalars['Int']['output'];
  /** heatmaps taken from the memory cache */
  heatmapCacheHits: Scalars['Int']['output'];
  largestBatch: Scalars['Int']['output'];
  /** answered with a stored identical explanation */
  storedHits: Scalars['Int']['output'];
};

export type CostClass =
  /** the forward pass's activations only (EigenCAM) */
  | 'ACTIVATION'
  /** one forward and one gradient pass */
  | 'GRADIENT'
  /** one forward pass per channel of the layer */
  | 'PERTURBATION';

export type ExplainInput = {
  /** … or exactly these class indices. */
  classes?: InputMaybe<Array<Scalars['Int']['input']>>;
  /** pytorch-grad-cam's eigen_smooth: replace each map by its first principal component. */
  eigenSmooth?: InputMaybe<Scalars['Boolean']['input']>;
  /** … or the image itself, base64 or a data URL (it is stored as by uploadImage). */
  image?: InputMaybe<Scalars['String']['input']>;
  /** An uploaded image … */
  imageId?: InputMaybe<Scalars['ID']['input']>;
  /** Target layer (a 4-D tensor name of the model); the model's default when omitted. */
  layer?: InputMaybe<Scalars['String']['input']>;
  /** CAM method names (see `methods`); default ["gradcam"]. */
  methods?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Model id (see `models`); the server's default model when omitted. */
  model?: InputMaybe<Scalars['ID']['input']>;
  /** What the heatmap explains: the class logit (default) or its softmax probability. */
  target?: InputMaybe<Target>;
  /** Explain the k most probable classes (default 1) … */
  topK?: InputMaybe<Scalars['Int']['input']>;
};

export type Explanation = {
  __typename?: 'Explanation';
  /** Whether this request was answered from the cache (no computation). */
  cached: Scalars['Boolean']['output'];
  /** Compute time of the explanation, in milliseconds. */
  computeMs: Scalars['Float']['output'];
  createdAt: Scalars['DateTime']['output'];
  heatmaps: Array<Heatmap>;
  id: Scalars['ID']['output'];
  image: Image;
  layer: Scalars['String']['output'];
  methods: Array<Scalars['String']['output']>;
  model: Model;
  /** Top predictions of the model, highest first. */
  predictions: Array<Prediction>;
  target: Target;
};


export type ExplanationHeatmapsArgs = {
  classIndex?: InputMaybe<Scalars['Int']['input']>;
  method?: InputMaybe<Scalars['String']['input']>;
};

export type ExplanationConnection = {
  __typename?: 'ExplanationConnection';
  edges: Array<ExplanationEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type ExplanationEdge = {
  __typename?: 'ExplanationEdge';
  cursor: Scalars['String']['output'];
  node: Explanation;
};

export type Health = {
  __typename?: 'Health';
  /** sqlite or postgresql */
  database: Scalars['String']['output'];
  /** cuda or cpu */
  executionProvider: Scalars['String']['output'];
  models: Array<Scalars['String']['output']>;
  ok: Scalars['Boolean']['output'];
  stats: ComputeStats;
  uptimeSeconds: Scalars['Float']['output'];
  version: Scalars['String']['output'];
};

export type Heatmap = {
  __typename?: 'Heatmap';
  classIndex: Scalars['Int']['output'];
  height: Scalars['Int']['output'];
  label: Scalars['String']['output'];
  method: Scalars['String']['output'];
  /**
   * The heatmap as a PNG data URL: the map at `size` pixels on its longer side (default: the model's
   * input size), min-max scaled and resized as pytorch-grad-cam does, coloured with `colormap`; with
   * `overlay` it is blended over the image (the image weighted by `imageWeight`).
   */
  png: Scalars['String']['output'];
  /** relu(cam) at the layer's resolution, row-major (height × width), before any scaling. */
  raw: Array<Scalars['Float']['output']>;
  /** softmax probability of the class */
  score: Scalars['Float']['output'];
  /** Size of the raw map: the target layer's resolution. */
  width: Scalars['Int']['output'];
};


export type HeatmapPngArgs = {
  colormap?: InputMaybe<Colormap>;
  imageWeight?: InputMaybe<Scalars['Float']['input']>;
  overlay?: InputMaybe<Scalars['Boolean']['input']>;
  size?: InputMaybe<Scalars['Int']['input']>;
};

export type Image = {
  __typename?: 'Image';
  byteLength: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** The image as a data URL (the stored bytes). */
  dataUrl: Scalars['String']['output'];
  explanations: ExplanationConnection;
  format: Scalars['String']['output'];
  height: Scalars['Int']['output'];
  /** sha256 of the uploaded bytes */
  id: Scalars['ID']['output'];
  width: Scalars['Int']['output'];
};


export type ImageExplanationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  modelId?: InputMaybe<Scalars['ID']['input']>;
};

export type Method = {
  __typename?: 'Method';
  /** Other spellings accepted for it. */
  aliases: Array<Scalars['String']['output']>;
  costClass: CostClass;
  /** Display name, e.g. Grad-CAM++. */
  displayName: Scalars['String']['output'];
  /** The id used in `explain(input: {methods})`, e.g. gradcam, gradcam++, scorecam. */
  name: Scalars['String']['output'];
  needsGradients: Scalars['Boolean']['output'];
};

export type Model = {
  __typename?: 'Model';
  /** The layer explained when a request names none. */
  defaultLayer: Scalars['String']['output'];
  /** The execution provider the model runs on: cuda or cpu. */
  executionProvider: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  inputHeight: Scalars['Int']['output'];
  inputWidth: Scalars['Int']['output'];
  /** Whether this is the server's default model. */
  isDefault: Scalars['Boolean']['output'];
  labels: Array<Scalars['String']['output']>;
  labelsCount: Scalars['Int']['output'];
  /** Layers that can be explained (4-D activations on the path to the logits). */
  targetLayers: Array<Scalars['String']['output']>;
  task: Scalars['String']['output'];
};


export type ModelLabelsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Compute (or return the stored) explanation of an image. An identical earlier request returns the
   * stored explanation with `cached: true` and computes nothing.
   */
  explain: Explanation;
  /**
   * Store an image: `data` is base64 or a data URL (data:image/png;base64,…). Uploading the same
   * bytes again returns the same image (its id is the sha256 of the bytes).
   */
  uploadImage: Image;
};


export type MutationExplainArgs = {
  input: ExplainInput;
};


export type MutationUploadImageArgs = {
  data: Scalars['String']['input'];
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Prediction = {
  __typename?: 'Prediction';
  classIndex: Scalars['Int']['output'];
  label: Scalars['String']['output'];
  /** softmax probability */
  score: Scalars['Float']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** A stored explanation. */
  explanation?: Maybe<Explanation>;
  /** Stored explanations, newest first, optionally of one image and/or one model. */
  explanations: ExplanationConnection;
  /** Server status: database, execution provider, version. */
  health: Health;
  /** A stored image by id (its sha256), with its explanations. */
  image?: Maybe<Image>;
  /** The CAM methods. */
  methods: Array<Method>;
  /** The models this server can explain. */
  models: Array<Model>;
};


export type QueryExplanationArgs = {
  id: Scalars['ID']['input'];
};


export type QueryExplanationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  imageId?: InputMaybe<Scalars['ID']['input']>;
  modelId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryImageArgs = {
  id: Scalars['ID']['input'];
};

export type Target =
  | 'LOGIT'
  | 'PROBABILITY';



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Colormap: Colormap;
  ComputeStats: ResolverTypeWrapper<ComputeStats>;
  CostClass: CostClass;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  ExplainInput: ExplainInput;
  Explanation: ResolverTypeWrapper<ExplanationParent>;
  ExplanationConnection: ResolverTypeWrapper<ConnectionParent>;
  ExplanationEdge: ResolverTypeWrapper<EdgeParent>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  Health: ResolverTypeWrapper<HealthInfo>;
  Heatmap: ResolverTypeWrapper<HeatmapParent>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Image: ResolverTypeWrapper<ImageRecord>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  Method: ResolverTypeWrapper<MethodInfo>;
  Model: ResolverTypeWrapper<ModelInfo>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Prediction: ResolverTypeWrapper<Prediction>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Target: Target;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Boolean: Scalars['Boolean']['output'];
  ComputeStats: ComputeStats;
  DateTime: Scalars['DateTime']['output'];
  ExplainInput: ExplainInput;
  Explanation: ExplanationParent;
  ExplanationConnection: ConnectionParent;
  ExplanationEdge: EdgeParent;
  Float: Scalars['Float']['output'];
  Health: HealthInfo;
  Heatmap: HeatmapParent;
  ID: Scalars['ID']['output'];
  Image: ImageRecord;
  Int: Scalars['Int']['output'];
  Method: MethodInfo;
  Model: ModelInfo;
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Prediction: Prediction;
  Query: Record<PropertyKey, never>;
  String: Scalars['String']['output'];
};

export type ComputeStatsResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['ComputeStats'] = ResolversParentTypes['ComputeStats']> = {
  batchedRequests?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  batches?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  coalesced?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  computedHeatmaps?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  explainRequests?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  heatmapCacheHits?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  largestBatch?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  storedHits?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type ExplanationResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Explanation'] = ResolversParentTypes['Explanation']> = {
  cached?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  computeMs?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  heatmaps?: Resolver<Array<ResolversTypes['Heatmap']>, ParentType, ContextType, Partial<ExplanationHeatmapsArgs>>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  image?: Resolver<ResolversTypes['Image'], ParentType, ContextType>;
  layer?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  methods?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  model?: Resolver<ResolversTypes['Model'], ParentType, ContextType>;
  predictions?: Resolver<Array<ResolversTypes['Prediction']>, ParentType, ContextType>;
  target?: Resolver<ResolversTypes['Target'], ParentType, ContextType>;
};

export type ExplanationConnectionResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['ExplanationConnection'] = ResolversParentTypes['ExplanationConnection']> = {
  edges?: Resolver<Array<ResolversTypes['ExplanationEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ExplanationEdgeResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['ExplanationEdge'] = ResolversParentTypes['ExplanationEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Explanation'], ParentType, ContextType>;
};

export type HealthResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Health'] = ResolversParentTypes['Health']> = {
  database?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  executionProvider?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  models?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  ok?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  stats?: Resolver<ResolversTypes['ComputeStats'], ParentType, ContextType>;
  uptimeSeconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type HeatmapResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Heatmap'] = ResolversParentTypes['Heatmap']> = {
  classIndex?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  height?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  label?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  method?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  png?: Resolver<ResolversTypes['String'], ParentType, ContextType, RequireFields<HeatmapPngArgs, 'colormap' | 'imageWeight' | 'overlay'>>;
  raw?: Resolver<Array<ResolversTypes['Float']>, ParentType, ContextType>;
  score?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  width?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ImageResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Image'] = ResolversParentTypes['Image']> = {
  byteLength?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  dataUrl?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  explanations?: Resolver<ResolversTypes['ExplanationConnection'], ParentType, ContextType, RequireFields<ImageExplanationsArgs, 'first'>>;
  format?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  height?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  width?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type MethodResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Method'] = ResolversParentTypes['Method']> = {
  aliases?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  costClass?: Resolver<ResolversTypes['CostClass'], ParentType, ContextType>;
  displayName?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  needsGradients?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type ModelResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Model'] = ResolversParentTypes['Model']> = {
  defaultLayer?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  executionProvider?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  inputHeight?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  inputWidth?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  isDefault?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  labels?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType, RequireFields<ModelLabelsArgs, 'first'>>;
  labelsCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  targetLayers?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  task?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type MutationResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  explain?: Resolver<ResolversTypes['Explanation'], ParentType, ContextType, RequireFields<MutationExplainArgs, 'input'>>;
  uploadImage?: Resolver<ResolversTypes['Image'], ParentType, ContextType, RequireFields<MutationUploadImageArgs, 'data'>>;
};

export type PageInfoResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type PredictionResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Prediction'] = ResolversParentTypes['Prediction']> = {
  classIndex?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  label?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  score?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = ApiContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  explanation?: Resolver<Maybe<ResolversTypes['Explanation']>, ParentType, ContextType, RequireFields<QueryExplanationArgs, 'id'>>;
  explanations?: Resolver<ResolversTypes['ExplanationConnection'], ParentType, ContextType, RequireFields<QueryExplanationsArgs, 'first'>>;
  health?: Resolver<ResolversTypes['Health'], ParentType, ContextType>;
  image?: Resolver<Maybe<ResolversTypes['Image']>, ParentType, ContextType, RequireFields<QueryImageArgs, 'id'>>;
  methods?: Resolver<Array<ResolversTypes['Method']>, ParentType, ContextType>;
  models?: Resolver<Array<ResolversTypes['Model']>, ParentType, ContextType>;
};

export type Resolvers<ContextType = ApiContext> = {
  ComputeStats?: ComputeStatsResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Explanation?: ExplanationResolvers<ContextType>;
  ExplanationConnection?: ExplanationConnectionResolvers<ContextType>;
  ExplanationEdge?: ExplanationEdgeResolvers<ContextType>;
  Health?: HealthResolvers<ContextType>;
  Heatmap?: HeatmapResolvers<ContextType>;
  Image?: ImageResolvers<ContextType>;
  Method?: MethodResolvers<ContextType>;
  Model?: ModelResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Prediction?: PredictionResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
};

